# Pub/Sub: the topics events travel on and the dead-letter topics failed events end up in. The
# subscriptions that deliver events to the functions belong to the function module (one per event
# function), because their push endpoint, identity and ack deadline are the function's.
#
# Encryption: Pub/Sub encrypts messages with Google-managed keys; customer-managed keys (CMEK) are not
# configured (checkov CKV_GCP_83): messages carry ids and object names only, never file contents or
# credentials.

# ingestion-jobs (the API publishes IngestRequested) and <role>-finalize (bucket notifications).
resource "google_pubsub_topic" "source" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; messages hold ids and object names only (see the comment above).
  for_each = local.source_topics

  name    = each.value
  project = var.project_id

  # Kept a day beyond acknowledgement, so a subscription can be seeked back to replay recent events.
  message_retention_duration = "86400s"

  depends_on = [google_project_service.enabled]
}

# Where a subscription forwards an event after its last delivery attempt. With event_delivery =
# "eventarc" they stay (switching back needs no migration) but receive nothing.
resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; messages hold ids and object names only (see the comment above).
  for_each = local.dead_letter_topics

  name    = each.value
  project = var.project_id

  message_retention_duration = var.dead_letter_retention

  depends_on = [google_project_service.enabled]
}

# A message published to a topic without subscriptions is dropped: each dead-letter topic gets a pull
# subscription that holds its events until someone inspects or replays them (README: Deployment).
resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each = local.dead_letter_topics

  name    = "${each.value}-hold"
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.value].id

  message_retention_duration = var.dead_letter_retention
  retain_acked_messages      = false
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = "" # never expires, however long nothing fails
  }
}

# Dead lettering is done by the Pub/Sub service agent: it publishes the failed event to the
# dead-letter topic (here) and acknowledges it on the source subscription (the function module grants
# it roles/pubsub.subscriber there).
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  for_each = local.dead_letter_topics

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.value].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

# The Cloud Storage service agent publishes each data bucket's finalize notifications.
resource "google_pubsub_topic_iam_member" "gcs_publishes_notifications" {
  for_each = var.event_delivery == "push" ? local.notification_topics : {}

  project = var.project_id
  topic   = google_pubsub_topic.source[each.value].name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}
