# Buckets: raw (source files, named raw/<customer>/<account>/<sha256>.<ext>), normalized (extraction
# results), and the function-source bucket the four zips are uploaded to. All of them: uniform
# bucket-level access (IAM only, no object ACLs), public access prevention enforced, versioning so an
# overwrite or delete can be undone, lifecycle rules so old versions do not pile up.
#
# Access logs (checkov CKV_GCP_62): usage-log buckets are Cloud Storage's legacy mechanism; object
# reads and writes are recorded by Cloud Audit Logs instead (Data Access logs for
# storage.googleapis.com, turned on below unless var.storage_data_access_logs is false because the
# project's audit configuration is managed elsewhere), so no usage-log bucket is created.

resource "google_storage_bucket" "data" {
  #checkov:skip=CKV_GCP_62:Access is audited with Cloud Audit Logs (Data Access), not legacy usage-log buckets; see the comment above.
  for_each = toset(local.bucket_roles)

  name     = local.bucket_names[each.key]
  project  = var.project_id
  location = var.region

  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection

  versioning {
    enabled = true
  }

  # Overwritten or deleted versions (a redelivery rewrites the same content-addressed name) go after
  # noncurrent_version_retention_days.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_retention_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  # Raw source files are rarely read after extraction: optionally move them to Nearline.
  dynamic "lifecycle_rule" {
    for_each = each.key == "raw" && var.raw_nearline_after_days > 0 ? [var.raw_nearline_after_days] : []
    content {
      condition {
        age        = lifecycle_rule.value
        with_state = "LIVE"
      }
      action {
        type          = "SetStorageClass"
        storage_class = "NEARLINE"
      }
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket" "function_source" {
  #checkov:skip=CKV_GCP_62:Holds only build inputs (function zips); access is audited with Cloud Audit Logs, not usage-log buckets.
  name     = local.source_bucket_name
  project  = var.project_id
  location = var.region

  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # only build inputs: every zip can be rebuilt from the repository

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_audit_config" "storage" {
  count = var.storage_data_access_logs ? 1 : 0

  project = var.project_id
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# --- finalize notifications (event_delivery = "push") -------------------------------------------
# Each data bucket publishes OBJECT_FINALIZE notifications (JSON_API_V1: the object resource as the
# message, eventType/bucketId/objectId as attributes: the form common/events.py decodes) to its
# "<role>-finalize" topic, read by the subscription the topology names. With Eventarc delivery the
# functions' storage triggers subscribe to the buckets themselves and these are not created.

resource "google_storage_notification" "finalize" {
  for_each = var.event_delivery == "push" ? toset(local.bucket_roles) : toset([])

  bucket         = google_storage_bucket.data[each.key].name
  payload_format = "JSON_API_V1"
  topic          = google_pubsub_topic.source[local.notification_topics[each.key]].id
  event_types    = ["OBJECT_FINALIZE"]

  depends_on = [google_pubsub_topic_iam_member.gcs_publishes_notifications]
}
