# Who may do what. Each function has its own runtime service account (modules/function) holding only
# the roles below, each granted on the narrowest resource IAM allows, with the reason beside it.
# Secret environment variables (DB_PASSWORD, GEMINI_API_KEY) are granted by the module itself.

locals {
  # Project-level roles, role => why. Cloud SQL and BigQuery jobs have no narrower grant.
  project_roles = {
    api = {
      "roles/cloudsql.client" = "connect to Cloud SQL through the Cloud SQL connector (jobs, accounts, API keys)"
    }
    ingest = {
      "roles/cloudsql.client" = "connect to Cloud SQL through the Cloud SQL connector (job and artifact rows)"
    }
    extract = {
      "roles/cloudsql.client" = "connect to Cloud SQL through the Cloud SQL connector (artifact status)"
    }
    load = {
      "roles/cloudsql.client"  = "connect to Cloud SQL through the Cloud SQL connector (bills, series, job completion)"
      "roles/bigquery.jobUser" = "run the load and MERGE jobs that upsert the warehouse tables"
    }
  }
}

# --- buckets ------------------------------------------------------------------------------------
# Writers get roles/storage.objectCreator only: object names are content hashes and the GCS adapter
# writes create-if-absent (if_generation_match=0), so a redelivered write never overwrites and needs
# no storage.objects.delete. Readers get objectViewer (get and list).

# api: POST /uploads writes the uploaded file to the raw bucket.
resource "google_storage_bucket_iam_member" "api_writes_raw" {
  bucket = google_storage_bucket.data["raw"].name
  role   = "roles/storage.objectCreator"
  member = module.api.service_account_member
}

# ingest: writes each fetched file to the raw bucket.
resource "google_storage_bucket_iam_member" "ingest_writes_raw" {
  bucket = google_storage_bucket.data["raw"].name
  role   = "roles/storage.objectCreator"
  member = module.ingest.service_account_member
}

# extract: reads the raw file it was notified about ...
resource "google_storage_bucket_iam_member" "extract_reads_raw" {
  bucket = google_storage_bucket.data["raw"].name
  role   = "roles/storage.objectViewer"
  member = module.extract.service_account_member
}

# ... and writes the normalized JSON and the interval rows beside it.
resource "google_storage_bucket_iam_member" "extract_writes_normalized" {
  bucket = google_storage_bucket.data["normalized"].name
  role   = "roles/storage.objectCreator"
  member = module.extract.service_account_member
}

# load: reads the normalized JSON and its interval rows.
resource "google_storage_bucket_iam_member" "load_reads_normalized" {
  bucket = google_storage_bucket.data["normalized"].name
  role   = "roles/storage.objectViewer"
  member = module.load.service_account_member
}

# --- Pub/Sub ------------------------------------------------------------------------------------

# api: POST /ingest/run and the agent publish IngestRequested to ingestion-jobs (that topic only).
resource "google_pubsub_topic_iam_member" "api_publishes_ingestion_jobs" {
  project = var.project_id
  topic   = google_pubsub_topic.source[local.ingestion_topic].name
  role    = "roles/pubsub.publisher"
  member  = module.api.service_account_member
}

# api: the admin dead-letter endpoints (common/adapters/pubsub_dead_letters.py) pull the held events
# of each -hold subscription, hand them back unacknowledged when listing, and acknowledge one once
# its replay is published: roles/pubsub.subscriber on those subscriptions only.
resource "google_pubsub_subscription_iam_member" "api_reads_dead_letters" {
  for_each = local.dead_letter_topics

  project      = var.project_id
  subscription = google_pubsub_subscription.dead_letter_hold[each.value].name
  role         = "roles/pubsub.subscriber"
  member       = module.api.service_account_member
}

# api: replaying a dead letter publishes the event again to the topic its subscription reads: the
# bucket notification topics here (ingestion-jobs is granted above).
resource "google_pubsub_topic_iam_member" "api_replays_notifications" {
  for_each = local.notification_topics

  project = var.project_id
  topic   = google_pubsub_topic.source[each.value].name
  role    = "roles/pubsub.publisher"
  member  = module.api.service_account_member
}

# --- BigQuery -----------------------------------------------------------------------------------

# load: inserts and merges rows into the warehouse tables (this dataset only).
resource "google_bigquery_dataset_iam_member" "load_edits_warehouse" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.warehouse.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = module.load.service_account_member
}

# --- Secret Manager -----------------------------------------------------------------------------

# api: reads the admin key (through the Secrets port, at most once a minute) to authenticate admins.
resource "google_secret_manager_secret_iam_member" "api_reads_admin_key" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.admin_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = module.api.service_account_member
}

# api: GET /secrets/check tells whether a credential secret exists. Secrets.exists (common/ports.py)
# reads the latest version to find out, so this is secretAccessor; an exists() asking for metadata
# only (GetSecret) in the Secret Manager adapter would let it drop to roles/secretmanager.viewer.
resource "google_secret_manager_secret_iam_member" "api_checks_credentials" {
  for_each = google_secret_manager_secret.credentials

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = module.api.service_account_member
}

# ingest: reads the utility credentials a connector logs in with.
resource "google_secret_manager_secret_iam_member" "ingest_reads_credentials" {
  for_each = google_secret_manager_secret.credentials

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = module.ingest.service_account_member
}

# --- builds -------------------------------------------------------------------------------------
# Cloud Build builds each function as this account instead of the Compute Engine default account
# (which often holds Editor).

resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-build"
  display_name = "MiniMeter function builds"
  description  = "Cloud Build identity for building the MiniMeter functions."
}

# Write build logs.
resource "google_project_iam_member" "build_writes_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.build.email}"
}

# Read the function sources: ours, and the copy Cloud Functions stages in its gcf-v2-sources-*
# bucket. The condition keeps the grant off every other bucket (the data buckets above all).
resource "google_project_iam_member" "build_reads_sources" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.build.email}"

  condition {
    title       = "function-sources-only"
    description = "Only the function-source bucket and the gcf-v2-sources buckets."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${local.source_bucket_name}\") || resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\")"
  }
}

# Push the built images to the functions' repository (this repository only).
resource "google_artifact_registry_repository_iam_member" "build_pushes_images" {
  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.build.email}"
}

# --- Eventarc delivery only ---------------------------------------------------------------------

# Eventarc storage triggers: the Cloud Storage service agent publishes the bucket events to the
# transport topics Eventarc creates (their names are Eventarc's, so only a project grant fits).
resource "google_project_iam_member" "gcs_publishes_eventarc_events" {
  count = var.event_delivery == "eventarc" ? 1 : 0

  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}
