# The APIs MiniMeter uses. disable_on_destroy = false: destroying MiniMeter must not switch off an API
# that something else in the project may rely on.
locals {
  services = toset([
    "artifactregistry.googleapis.com",     # images built from the function sources
    "bigquery.googleapis.com",             # warehouse
    "cloudbuild.googleapis.com",           # builds each function from its zip
    "cloudfunctions.googleapis.com",       # the four functions
    "eventarc.googleapis.com",             # function triggers (event_delivery = "eventarc")
    "iam.googleapis.com",                  # service accounts
    "iamcredentials.googleapis.com",       # OIDC tokens Pub/Sub mints for push deliveries
    "logging.googleapis.com",              # function and build logs
    "pubsub.googleapis.com",               # topics, subscriptions, dead letters
    "run.googleapis.com",                  # 2nd-gen functions run as Cloud Run services
    "secretmanager.googleapis.com",        # database password, admin key, utility credentials
    "sqladmin.googleapis.com",             # Cloud SQL instance; the Cloud SQL connector calls it too
    "storage.googleapis.com",              # raw, normalized and function-source buckets
    "cloudresourcemanager.googleapis.com", # project IAM bindings
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# Service agents that IAM bindings below name. They are created lazily by Google on first use;
# creating them here lets one `terraform apply` grant them roles.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.enabled]
}

resource "google_project_service_identity" "eventarc" {
  provider = google-beta

  project = var.project_id
  service = "eventarc.googleapis.com"

  depends_on = [google_project_service.enabled]
}

# The Cloud Storage service agent publishes bucket notifications (and, for Eventarc storage
# triggers, the events Eventarc routes).
data "google_storage_project_service_account" "gcs" {
  project = var.project_id

  depends_on = [google_project_service.enabled]
}
