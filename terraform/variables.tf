# --- where ---------------------------------------------------------------------------------------

variable "project_id" {
  description = "Google Cloud project that receives every MiniMeter resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 lowercase letters, digits and hyphens), not a name or number."
  }
}

variable "region" {
  description = "Region of the functions, buckets, Cloud SQL instance and Eventarc triggers."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west1."
  }
}

variable "bigquery_location" {
  description = "Location of the BigQuery dataset (a region or the US/EU multi-region). Null: the same as region."
  type        = string
  default     = null

  validation {
    condition     = var.bigquery_location == null || can(regex("^(US|EU|[a-z]+-[a-z]+[0-9])$", coalesce(var.bigquery_location, "US")))
    error_message = "bigquery_location must be US, EU or a region such as us-central1."
  }
}

variable "name_prefix" {
  description = "Prefix of the names Terraform chooses (functions, service accounts, buckets, Cloud SQL instance)."
  type        = string
  default     = "minimeter"

  validation {
    # Service account IDs are at most 30 characters: "<prefix>-extract-trigger" must fit.
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-13 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "labels" {
  description = "Labels added to every resource that takes labels (app=minimeter is always set)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))
    ])
    error_message = "Label keys must start with a lowercase letter; keys and values may hold lowercase letters, digits, _ and - (at most 63)."
  }
}

# --- safety --------------------------------------------------------------------------------------

variable "deletion_protection" {
  description = "Protect the Cloud SQL instance and BigQuery tables from deletion, and keep bucket contents on destroy. Set false (and apply) before terraform destroy."
  type        = bool
  default     = true
}

# --- API access ----------------------------------------------------------------------------------

variable "api_invokers" {
  description = "IAM members allowed to call the API function (roles/run.invoker), e.g. user:alice@example.com, group:ops@example.com, serviceAccount:ci@p.iam.gserviceaccount.com. The API is never public."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for m in var.api_invokers : can(regex("^(user|group|serviceAccount|domain|principal|principalSet):.+$", m))
    ])
    error_message = "Each api_invokers entry must be an IAM member such as user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN; allUsers and allAuthenticatedUsers are refused."
  }
}

# --- events --------------------------------------------------------------------------------------

variable "event_delivery" {
  description = "How events reach the event functions: \"push\" (Terraform-managed Pub/Sub push subscriptions named as in common/topology.py, with retry policy and dead-letter topics) or \"eventarc\" (each function's own Eventarc trigger; Eventarc owns the subscription, so there is no dead-letter topic)."
  type        = string
  default     = "push"

  validation {
    condition     = contains(["push", "eventarc"], var.event_delivery)
    error_message = "event_delivery must be \"push\" or \"eventarc\"."
  }
}

variable "retry_minimum_backoff" {
  description = "Shortest wait before Pub/Sub redelivers a failed event (push subscriptions)."
  type        = string
  default     = "10s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.retry_minimum_backoff)) && try(tonumber(trimsuffix(var.retry_minimum_backoff, "s")) <= 600, false)
    error_message = "retry_minimum_backoff must be seconds such as \"10s\", at most \"600s\"."
  }
}

variable "retry_maximum_backoff" {
  description = "Longest wait before Pub/Sub redelivers a failed event (push subscriptions)."
  type        = string
  default     = "600s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.retry_maximum_backoff)) && try(tonumber(trimsuffix(var.retry_maximum_backoff, "s")) <= 600, false)
    error_message = "retry_maximum_backoff must be seconds such as \"600s\", at most \"600s\"."
  }
}

variable "dead_letter_retention" {
  description = "How long dead-lettered events are kept on the dead-letter topics and their pull subscriptions, for inspection and replay."
  type        = string
  default     = "604800s" # 7 days

  validation {
    condition     = can(regex("^[0-9]+s$", var.dead_letter_retention)) && try(tonumber(trimsuffix(var.dead_letter_retention, "s")) >= 600 && tonumber(trimsuffix(var.dead_letter_retention, "s")) <= 2678400, false)
    error_message = "dead_letter_retention must be seconds between \"600s\" and \"2678400s\" (31 days)."
  }
}

# --- functions -----------------------------------------------------------------------------------

variable "function_overrides" {
  description = "Per-function changes to the sizing in functions.tf, keyed by function (api, ingest, extract, load)."
  type = map(object({
    memory          = optional(string)
    cpu             = optional(string)
    timeout_seconds = optional(number)
    min_instances   = optional(number)
    max_instances   = optional(number)
    concurrency     = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.function_overrides) : contains(["api", "ingest", "extract", "load"], k)])
    error_message = "function_overrides keys must be api, ingest, extract or load."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "max_upload_bytes" {
  description = "MAX_UPLOAD_BYTES of the API (413 above it). Cloud Run refuses HTTP/1 request bodies over 32 MiB."
  type        = number
  default     = 26214400

  validation {
    condition     = var.max_upload_bytes >= 1024 && var.max_upload_bytes <= 33554432
    error_message = "max_upload_bytes must be between 1 KiB and 32 MiB."
  }
}

# --- secrets -------------------------------------------------------------------------------------

variable "utility_credentials_secret_id" {
  description = "Secret Manager secret (SECRET_NAME) holding the utility credentials for accounts that name no secret. Terraform creates it empty; add a version with gcloud."
  type        = string
  default     = "utility-credentials"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.utility_credentials_secret_id))
    error_message = "Secret IDs hold letters, digits, _ and - only."
  }
}

variable "credential_secret_ids" {
  description = "Further credential secrets that utility accounts name (credentials_secret_name). Terraform creates them empty and lets only ingest read them (and the API see that they exist)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.credential_secret_ids : can(regex("^[A-Za-z0-9_-]{1,255}$", s))])
    error_message = "Secret IDs hold letters, digits, _ and - only."
  }
}

variable "admin_key_secret_id" {
  description = "Secret (ADMIN_KEY_SECRET) holding the API's admin key. Terraform generates the key."
  type        = string
  default     = "minimeter-admin-key"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.admin_key_secret_id))
    error_message = "Secret IDs hold letters, digits, _ and - only."
  }
}

variable "gemini_api_key_secret_id" {
  description = "An existing Secret Manager secret holding a Gemini API key, given as GEMINI_API_KEY to the API (agent planning) and to extract (bills the templates and heuristics cannot read). Null: the deterministic planner, and such bills go to review."
  type        = string
  default     = null

  validation {
    condition     = var.gemini_api_key_secret_id == null || can(regex("^[A-Za-z0-9_-]{1,255}$", coalesce(var.gemini_api_key_secret_id, "x")))
    error_message = "Secret IDs hold letters, digits, _ and - only."
  }
}

variable "gemini_model" {
  description = "GEMINI_MODEL used by the agent planner and the bill cascade when a Gemini key is configured."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "bill_ocr" {
  description = "MINIMETER_OCR: how extract reads a bill PDF without a text layer before it goes to review (tesseract, or off)."
  type        = string
  default     = "tesseract"

  validation {
    condition     = contains(["tesseract", "off"], var.bill_ocr)
    error_message = "bill_ocr must be tesseract or off."
  }
}

# --- Cloud SQL -----------------------------------------------------------------------------------

variable "sql_tier" {
  description = "Cloud SQL machine type. db-g1-small (shared core) suits a pilot; use db-custom-<vCPU>-<MiB> for production."
  type        = string
  default     = "db-g1-small"

  validation {
    condition     = can(regex("^db-(f1-micro|g1-small|custom-[0-9]+-[0-9]+|perf-optimized-N-[0-9]+)$", var.sql_tier))
    error_message = "sql_tier must be db-f1-micro, db-g1-small or db-custom-<vCPU>-<MiB>."
  }
}

variable "sql_availability_type" {
  description = "ZONAL (one zone) or REGIONAL (high availability: a standby in a second zone, about twice the price)."
  type        = string
  default     = "ZONAL"

  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.sql_availability_type)
    error_message = "sql_availability_type must be ZONAL or REGIONAL."
  }
}

variable "sql_disk_size_gb" {
  description = "Initial Cloud SQL disk size; it grows automatically."
  type        = number
  default     = 10

  validation {
    condition     = var.sql_disk_size_gb >= 10
    error_message = "sql_disk_size_gb must be at least 10."
  }
}

variable "sql_backup_retained_count" {
  description = "Daily automated backups kept."
  type        = number
  default     = 14

  validation {
    condition     = var.sql_backup_retained_count >= 1 && var.sql_backup_retained_count <= 365
    error_message = "sql_backup_retained_count must be between 1 and 365."
  }
}

variable "sql_log_retention_days" {
  description = "Days of write-ahead log kept for point-in-time recovery."
  type        = number
  default     = 7

  validation {
    condition     = var.sql_log_retention_days >= 1 && var.sql_log_retention_days <= 7
    error_message = "sql_log_retention_days must be between 1 and 7 (Enterprise edition)."
  }
}

variable "db_pool_size" {
  description = "DB_POOL_SIZE: Cloud SQL connections each function instance keeps. Instances x pool must stay under the tier's max_connections (db-g1-small: 50)."
  type        = number
  default     = 3

  validation {
    condition     = var.db_pool_size >= 1 && var.db_pool_size <= 50
    error_message = "db_pool_size must be between 1 and 50."
  }
}

# --- storage -------------------------------------------------------------------------------------

variable "raw_nearline_after_days" {
  description = "Move raw source files to Nearline storage after this many days (0: never). Replaying extraction of older files then pays Nearline retrieval."
  type        = number
  default     = 90

  validation {
    condition     = var.raw_nearline_after_days == 0 || var.raw_nearline_after_days >= 30
    error_message = "raw_nearline_after_days must be 0 or at least 30 (Nearline's minimum storage duration)."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version is kept in the versioned buckets."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "storage_data_access_logs" {
  description = "Turn on Cloud Audit Logs Data Access logging (DATA_READ, DATA_WRITE) for Cloud Storage in the project: who read or wrote which object. Set false if the project's audit configuration is managed elsewhere."
  type        = bool
  default     = true
}
