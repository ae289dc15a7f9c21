output "api_url" {
  description = "HTTPS endpoint of the API (call it with an identity token of an api_invokers member)."
  value       = module.api.uri
}

output "functions" {
  description = "Each function's name, runtime service account and delivering subscription."
  value = {
    for name, fn in {
      api     = module.api
      ingest  = module.ingest
      extract = module.extract
      load    = module.load
      } : name => {
      name            = fn.name
      service_account = fn.service_account_email
      subscription    = fn.subscription
      source_object   = fn.source_object
    }
  }
}

output "buckets" {
  description = "Bucket name by role (RAW_BUCKET, NORMALIZED_BUCKET) and the function-source bucket."
  value = merge(
    { for role, b in google_storage_bucket.data : role => b.name },
    { function_source = google_storage_bucket.function_source.name },
  )
}

output "topics" {
  description = "Event topics and dead-letter topics."
  value = {
    source      = sort([for t in google_pubsub_topic.source : t.name])
    dead_letter = sort([for t in google_pubsub_topic.dead_letter : t.name])
  }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions holding dead-lettered events, by dead-letter topic."
  value       = { for topic, s in google_pubsub_subscription.dead_letter_hold : topic => s.name }
}

output "sql_instance_connection_name" {
  description = "INSTANCE_CONNECTION_NAME of the Cloud SQL instance (project:region:instance)."
  value       = google_sql_database_instance.main.connection_name
}

output "bigquery_dataset" {
  description = "BQ_DATASET."
  value       = google_bigquery_dataset.warehouse.dataset_id
}

output "admin_key_secret" {
  description = "Secret holding the API admin key: gcloud secrets versions access latest --secret=<this>."
  value       = google_secret_manager_secret.admin_key.secret_id
}

output "db_password_secret" {
  description = "Secret holding the database user's password."
  value       = google_secret_manager_secret.db_password.secret_id
}
