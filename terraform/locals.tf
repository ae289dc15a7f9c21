locals {
  labels = merge(var.labels, { app = "minimeter" })

  # The repository root: each function's zip is built from functions/<name>, common/ and requirements.txt.
  repo_root = abspath("${path.module}/..")

  bucket_names = {
    for role in local.bucket_roles : role => "${var.project_id}-${var.name_prefix}-${role}"
  }
  source_bucket_name = "${var.project_id}-${var.name_prefix}-function-source"

  bigquery_location = coalesce(var.bigquery_location, var.region)

  pubsub_service_agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
