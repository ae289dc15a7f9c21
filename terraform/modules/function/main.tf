# One MiniMeter function: a 2nd-gen Cloud Function built from a zip of its own directory plus the
# shared packages, its own runtime service account, and how events reach it.
#
# How events reach an event-driven function, and where dead letters fit
# ----------------------------------------------------------------------
# A 2nd-gen function's event_trigger is an Eventarc trigger. For a Pub/Sub source Eventarc creates its
# own push subscription on the topic (named eventarc-<region>-<trigger>-sub-<n>); for a Cloud Storage
# source it also creates the transport topic and a GCS notification. That subscription retries with
# exponential backoff (10 s to 600 s) for Eventarc's 24-hour message retention and then drops the
# event: Eventarc has no dead-letter setting, and the subscription it creates is not a Terraform
# resource, so a dead-letter policy could only be patched onto it by hand (and is lost whenever the
# trigger is recreated).
#
# MiniMeter's topology names each subscription and its dead-letter topic (common/topology.py), so the
# default delivery ("push") does what Eventarc does internally, in the open: the function is deployed
# without an event_trigger and a Terraform-managed Pub/Sub push subscription, with the topology's
# name, a retry policy and a dead-letter policy, posts each message to the function's URL with an
# OIDC token of a dedicated trigger service account that holds roles/run.invoker on this function
# only. functions-framework turns the push body into the same messagePublished CloudEvent Eventarc
# would deliver (the topic in the URL path becomes the event's source), and common/events.py decodes
# both. Bucket events travel as GCS notifications on a "<role>-finalize" topic (storage.tf).
#
# delivery = "eventarc" keeps the function's own Eventarc trigger (retry_policy = RETRY) for those who
# prefer it, without dead letters; the code's attempt budget still ends a poison event (see below).

locals {
  runtime_member = "serviceAccount:${google_service_account.runtime.email}"
  trigger_member = local.is_event ? "serviceAccount:${one(google_service_account.trigger[*].email)}" : null
}

# --- identity -----------------------------------------------------------------------------------

# The function's own identity: only the roles granted below and outside the module (iam.tf).
resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = var.service_account_id
  display_name = "MiniMeter ${var.name} function"
  description  = "Runtime identity of the ${var.name} function."
}

# Project-level roles the caller lists with the reason for each (var.project_roles: role => why).
resource "google_project_iam_member" "runtime" {
  for_each = var.project_roles

  project = var.project_id
  role    = each.key
  member  = local.runtime_member
}

# Each secret environment variable is resolved when an instance starts, as the runtime identity.
resource "google_secret_manager_secret_iam_member" "runtime_reads_env_secret" {
  for_each = toset([for s in values(var.secret_environment) : s.secret])

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor" # read the secret's value into the environment
  member    = local.runtime_member
}

# The identity events arrive with (Pub/Sub push OIDC token, or the Eventarc trigger's).
resource "google_service_account" "trigger" {
  count = local.is_event ? 1 : 0

  project      = var.project_id
  account_id   = "${var.service_account_id}-trigger"
  display_name = "MiniMeter ${var.name} trigger"
  description  = "Identity that delivers events to the ${var.name} function; may only invoke it."
}

# --- source -------------------------------------------------------------------------------------

data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.root}/.build/${var.name}.zip"

  # Entries are written sorted with a zero timestamp, so equal sources give an equal zip and hash.
  dynamic "source" {
    for_each = local.source_files
    content {
      content  = file(source.value)
      filename = source.key
    }
  }
}

# Named by the zip's content hash: any change to the sources is a new object name, which changes
# build_config and so redeploys the function; an unchanged source plans no change at all.
resource "google_storage_bucket_object" "source" {
  name         = "${var.name}/${data.archive_file.source.output_sha256}.zip"
  bucket       = var.source_bucket
  source       = data.archive_file.source.output_path
  content_type = "application/zip"
}

# --- the function -------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "this" {
  name        = var.name
  project     = var.project_id
  location    = var.region
  description = var.description
  labels      = var.labels

  build_config {
    runtime           = var.runtime
    entry_point       = var.entry_point
    service_account   = var.build_service_account
    docker_repository = var.docker_repository

    source {
      storage_source {
        bucket = var.source_bucket
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = var.memory
    available_cpu                    = var.cpu
    timeout_seconds                  = var.timeout_seconds
    min_instance_count               = var.min_instances
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = var.concurrency
    ingress_settings                 = var.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.runtime.email

    environment_variables = var.environment

    dynamic "secret_environment_variables" {
      for_each = var.secret_environment
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret
        version    = secret_environment_variables.value.version
      }
    }
  }

  dynamic "event_trigger" {
    for_each = local.eventarc ? [var.trigger] : []
    content {
      trigger_region        = var.region
      event_type            = local.event_types[event_trigger.value.type]
      pubsub_topic          = event_trigger.value.type == "pubsub" ? event_trigger.value.topic : null
      retry_policy          = "RETRY_POLICY_RETRY" # a raised error is delivered again (up to 24 h)
      service_account_email = google_service_account.trigger[0].email

      dynamic "event_filters" {
        for_each = event_trigger.value.type == "storage" ? [event_trigger.value.bucket] : []
        content {
          attribute = "bucket"
          value     = event_filters.value
        }
      }
    }
  }

  # An instance cannot start before its identity may read its secret environment.
  depends_on = [google_secret_manager_secret_iam_member.runtime_reads_env_secret]
}

# --- who may invoke it --------------------------------------------------------------------------

# HTTP callers (the API): roles/run.invoker on this function's Cloud Run service only.
resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = toset(var.invokers)

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.this.name
  role     = "roles/run.invoker"
  member   = each.value
}

# The trigger identity may invoke this function and nothing else.
resource "google_cloud_run_service_iam_member" "trigger_invokes" {
  count = local.is_event ? 1 : 0

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.this.name
  role     = "roles/run.invoker"
  member   = local.trigger_member
}

# Eventarc storage triggers: the trigger identity must be allowed to receive Eventarc events.
resource "google_project_iam_member" "trigger_receives_events" {
  count = local.eventarc && var.trigger.type == "storage" ? 1 : 0

  project = var.project_id
  role    = "roles/eventarc.eventReceiver" # project-level only role
  member  = local.trigger_member
}

# --- push delivery ------------------------------------------------------------------------------

# Pub/Sub signs each push request (ours, or the subscription Eventarc creates) with an OIDC token of
# the trigger identity; its service agent needs to mint tokens for that one account. (Projects created
# since April 2021 grant this implicitly; older ones need it.)
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  count = local.is_event ? 1 : 0

  service_account_id = google_service_account.trigger[0].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = var.pubsub_service_agent
}

# The subscription the topology names. Retry and dead letters:
# - a response other than 2xx (functions-framework answers 500 when the handler raises) is a nack:
#   Pub/Sub redelivers after minimum_backoff, doubling up to maximum_backoff;
# - after max_delivery_attempts the Pub/Sub service agent publishes the event to the dead-letter topic
#   and acknowledges it here (it needs roles/pubsub.subscriber on this subscription, granted below).
# Pub/Sub accepts max_delivery_attempts only from 5 to 100 and the root passes
# max(5, MAX_DELIVERY_ATTEMPTS). The code keeps its own attempt budget per job and artifact in
# Postgres (functions-framework does not pass the push envelope's deliveryAttempt on), so with
# MAX_DELIVERY_ATTEMPTS = 3 it records FAILED and raises on the third delivery and acknowledges the
# fourth as finished work: the job ends FAILED with its reason either way, but only events that fail
# without reaching the database (an outage, a crash at start) fill the dead-letter topic.
resource "google_pubsub_subscription" "push" {
  count = local.push ? 1 : 0

  name    = var.trigger.subscription_name
  project = var.project_id
  topic   = var.trigger.topic

  # For a push subscription the ack deadline is how long Pub/Sub waits for the function's answer: the
  # maximum, 600 s (common/topology.py PUSH_ACK_DEADLINE_SECONDS), above every function's timeout.
  ack_deadline_seconds       = 600
  message_retention_duration = var.trigger.message_retention_duration

  expiration_policy {
    ttl = "" # never expires, however long no event arrives
  }

  retry_policy {
    minimum_backoff = var.trigger.minimum_backoff
    maximum_backoff = var.trigger.maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = var.trigger.dead_letter_topic
    max_delivery_attempts = var.trigger.max_delivery_attempts
  }

  push_config {
    # The topic ID (projects/P/topics/T) in the path becomes the CloudEvent's source.
    push_endpoint = "${google_cloudfunctions2_function.this.service_config[0].uri}/${var.trigger.topic}"

    oidc_token {
      service_account_email = google_service_account.trigger[0].email
      audience              = google_cloudfunctions2_function.this.service_config[0].uri
    }
  }

  depends_on = [
    google_cloud_run_service_iam_member.trigger_invokes,
    google_service_account_iam_member.pubsub_mints_push_tokens,
  ]
}

resource "google_pubsub_subscription_iam_member" "pubsub_forwards_dead_letters" {
  count = local.push ? 1 : 0

  project      = var.project_id
  subscription = google_pubsub_subscription.push[0].name
  role         = "roles/pubsub.subscriber" # acknowledge what it forwarded to the dead-letter topic
  member       = var.pubsub_service_agent
}
