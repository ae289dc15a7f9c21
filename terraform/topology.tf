# The event topology of common/topology.py, mirrored value for value. tests/terraform checks that
# every name here equals the Python declaration, so a change there fails the build until it is made
# here too. Every topic, subscription, dead-letter topic, bucket and trigger below derives from it.
locals {
  ingestion_topic = "ingestion-jobs" # INGESTION_TOPIC

  bucket_roles = ["raw", "normalized"] # RAW_BUCKET_ROLE, NORMALIZED_BUCKET_ROLE

  max_delivery_attempts = 3 # MAX_DELIVERY_ATTEMPTS

  # FUNCTIONS: directory under functions/ => entry point and signature.
  functions = {
    api     = { target = "api", signature = "http" }
    ingest  = { target = "ingest", signature = "cloudevent" }
    extract = { target = "extract", signature = "cloudevent" }
    load    = { target = "load", signature = "cloudevent" }
  }

  # SUBSCRIPTIONS: one event source per event-driven function, with its dead-letter topic.
  subscriptions = {
    "ingest-on-ingestion-jobs" = {
      function              = "ingest"
      topic                 = "ingestion-jobs"
      bucket_role           = null
      dead_letter_topic     = "ingestion-jobs-dead-letter"
      max_delivery_attempts = 3
    }
    "extract-on-raw-finalize" = {
      function              = "extract"
      topic                 = null
      bucket_role           = "raw"
      dead_letter_topic     = "raw-finalize-dead-letter"
      max_delivery_attempts = 3
    }
    "load-on-normalized-finalize" = {
      function              = "load"
      topic                 = null
      bucket_role           = "normalized"
      dead_letter_topic     = "normalized-finalize-dead-letter"
      max_delivery_attempts = 3
    }
  }

  # --- derived -------------------------------------------------------------------------------

  # A bucket's finalize events are published (GCS notification) to "<role>-finalize": the topic whose
  # dead letters go to "<role>-finalize-dead-letter", as the topology names them.
  notification_topics = { for role in local.bucket_roles : role => "${role}-finalize" }

  # Every topic a subscription reads: ingestion-jobs and the buckets' notification topics.
  source_topics = toset(concat([local.ingestion_topic], values(local.notification_topics)))

  dead_letter_topics = toset([for s in local.subscriptions : s.dead_letter_topic])

  # Pub/Sub accepts max_delivery_attempts only in [5, 100] (DeadLetterPolicy), so a topology value
  # below 5 cannot be applied as is. See the comment on google_pubsub_subscription in
  # modules/function/main.tf for what the difference means for the code's own attempt budget.
  pubsub_min_delivery_attempts = 5
  pubsub_max_delivery_attempts = {
    for name, s in local.subscriptions : name => max(local.pubsub_min_delivery_attempts, s.max_delivery_attempts)
  }
}
