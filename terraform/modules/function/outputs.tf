output "name" {
  description = "Function name."
  value       = google_cloudfunctions2_function.this.name
}

output "uri" {
  description = "HTTPS endpoint of the function's Cloud Run service."
  value       = google_cloudfunctions2_function.this.service_config[0].uri
}

output "url" {
  description = "cloudfunctions.net URL of the function."
  value       = google_cloudfunctions2_function.this.url
}

output "service_account_email" {
  description = "Runtime identity of the function."
  value       = google_service_account.runtime.email
}

output "service_account_member" {
  description = "Runtime identity as an IAM member (serviceAccount:EMAIL)."
  value       = local.runtime_member
}

output "trigger_service_account_email" {
  description = "Identity events are delivered with (null for HTTP functions)."
  value       = one(google_service_account.trigger[*].email)
}

output "subscription" {
  description = "The push subscription delivering events (null for HTTP functions and Eventarc delivery)."
  value       = one(google_pubsub_subscription.push[*].name)
}

output "source_object" {
  description = "The uploaded source zip (<name>/<sha256>.zip)."
  value       = google_storage_bucket_object.source.name
}
