variable "project_id" {
  description = "Project of the function and everything the module creates."
  type        = string
}

variable "region" {
  description = "Region of the function (and of its Eventarc trigger)."
  type        = string
}

variable "name" {
  description = "Function name (also its Cloud Run service name); lowercase letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,48}[a-z0-9]$", var.name))
    error_message = "name must be 2-50 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "service_account_id" {
  description = "Account ID (the part before @) of the function's own runtime service account, 6-30 characters. The trigger identity gets \"<id>-trigger\" cut to 30 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,20}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6-22 lowercase letters, digits or hyphens (the trigger's account adds \"-trigger\")."
  }
}

variable "description" {
  description = "What the function does (shown in the console)."
  type        = string
  default     = ""
}

variable "entry_point" {
  description = "Name of the decorated function in main.py (functions-framework target)."
  type        = string
}

variable "runtime" {
  description = "Cloud Functions runtime."
  type        = string
  default     = "python311"

  validation {
    condition     = can(regex("^python3[0-9]+$", var.runtime))
    error_message = "runtime must be a Python runtime such as python311."
  }
}

# --- source -------------------------------------------------------------------------------------

variable "source_dir" {
  description = "Directory whose files become the root of the zip (functions/<name>: main.py)."
  type        = string
}

variable "packages" {
  description = "Python packages shipped beside main.py: directory in the zip => directory on disk (every file below it but __pycache__; UTF-8 text only)."
  type        = map(string)
  default     = {}
}

variable "requirements_file" {
  description = "requirements.txt installed by the build."
  type        = string
}

variable "source_bucket" {
  description = "Bucket the zip is uploaded to, as <name>/<sha256 of the zip>.zip."
  type        = string
}

variable "build_service_account" {
  description = "Resource name (projects/P/serviceAccounts/EMAIL) of the service account Cloud Build uses to build the function."
  type        = string
}

variable "docker_repository" {
  description = "Artifact Registry repository (projects/P/locations/L/repositories/R) the built image is pushed to."
  type        = string
}

# --- runtime ------------------------------------------------------------------------------------

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secret_environment" {
  description = "Environment variables read from Secret Manager at instance start: variable => {secret = secret ID, version}. The runtime service account is granted roles/secretmanager.secretAccessor on each secret."
  type = map(object({
    secret  = string
    version = optional(string, "latest")
  }))
  default = {}
}

variable "project_roles" {
  description = "Project-level roles of the runtime service account: role => why it is needed. Grant resource-level roles outside the module wherever the resource allows it."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for r in keys(var.project_roles) : !contains(["roles/owner", "roles/editor", "roles/viewer"], r)])
    error_message = "Basic roles (owner, editor, viewer) are never granted to a function."
  }
}

variable "memory" {
  description = "Memory of an instance, e.g. 512Mi or 1Gi."
  type        = string
  default     = "512Mi"
}

variable "cpu" {
  description = "vCPUs of an instance (concurrency above 1 needs at least 1)."
  type        = string
  default     = "1"
}

variable "timeout_seconds" {
  description = "Request timeout. Event-driven functions allow at most 540 s; the push subscription's ack deadline follows it."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be between 1 and 3600."
  }
}

variable "min_instances" {
  description = "Instances kept warm (0: scale to zero)."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Upper bound of instances; also bounds database connections (each instance keeps a small pool)."
  type        = number
  default     = 5
}

variable "concurrency" {
  description = "Requests one instance handles at once (the handlers are thread-safe)."
  type        = number
  default     = 1

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be between 1 and 1000."
  }
}

variable "ingress" {
  description = "ALLOW_ALL (reachable from the internet, IAM still required) or ALLOW_INTERNAL_ONLY (Pub/Sub, Eventarc and the project's VPC only)."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress)
    error_message = "ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "invokers" {
  description = "IAM members that may call the function over HTTP (roles/run.invoker on its service). Never allUsers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.invokers : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "A function is never public: allUsers and allAuthenticatedUsers are refused."
  }
}

variable "labels" {
  description = "Labels of the function (the provider's default labels are added)."
  type        = map(string)
  default     = {}
}

# --- event trigger ------------------------------------------------------------------------------

variable "trigger" {
  description = <<-EOT
    How the function is invoked.
      type = "http": no event; callers need roles/run.invoker (var.invokers).
      type = "pubsub": messages of topic (a topic ID).
      type = "storage": OBJECT_FINALIZE events of bucket; with delivery = "push", topic is the bucket's
        notification topic that carries them.
      delivery = "push": a Pub/Sub push subscription named subscription_name, owned by this module, with
        the retry policy and the dead-letter topic (ID) after max_delivery_attempts (5-100).
      delivery = "eventarc": the function's own Eventarc trigger (retry policy RETRY); Eventarc owns the
        subscription, so no dead-letter topic can be set on it from here.
  EOT
  type = object({
    type                       = string
    delivery                   = optional(string, "push")
    topic                      = optional(string)
    bucket                     = optional(string)
    subscription_name          = optional(string)
    dead_letter_topic          = optional(string)
    max_delivery_attempts      = optional(number, 5)
    minimum_backoff            = optional(string, "10s")
    maximum_backoff            = optional(string, "600s")
    message_retention_duration = optional(string, "604800s")
  })
  default = { type = "http" }

  validation {
    condition     = contains(["http", "pubsub", "storage"], var.trigger.type)
    error_message = "trigger.type must be http, pubsub or storage."
  }
  validation {
    condition     = contains(["push", "eventarc"], var.trigger.delivery)
    error_message = "trigger.delivery must be push or eventarc."
  }
  validation {
    condition     = var.trigger.type != "pubsub" || var.trigger.topic != null
    error_message = "A pubsub trigger needs topic."
  }
  validation {
    condition     = var.trigger.type != "storage" || (var.trigger.bucket != null && (var.trigger.delivery == "eventarc" || var.trigger.topic != null))
    error_message = "A storage trigger needs bucket, and with push delivery the bucket's notification topic."
  }
  validation {
    condition     = var.trigger.type == "http" || var.trigger.delivery == "eventarc" || (var.trigger.subscription_name != null && var.trigger.dead_letter_topic != null)
    error_message = "Push delivery needs subscription_name and dead_letter_topic."
  }
  validation {
    condition     = var.trigger.max_delivery_attempts >= 5 && var.trigger.max_delivery_attempts <= 100
    error_message = "Pub/Sub accepts max_delivery_attempts between 5 and 100."
  }
}

variable "pubsub_service_agent" {
  description = "IAM member of the project's Pub/Sub service agent (serviceAccount:service-N@gcp-sa-pubsub.iam.gserviceaccount.com): it mints the push OIDC tokens and forwards dead letters. Required for event functions."
  type        = string
  default     = null
}
