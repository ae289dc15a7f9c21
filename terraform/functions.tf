# The four functions of common/topology.py, each the same module: functions/<name> + common/ zipped,
# its own service account, and its event source as the topology declares it.

locals {
  # The environment every function reads through common/config.py (Settings). The same for all four:
  # each function builds the same ports (common/runtime.py). tests/terraform checks that every
  # Settings variable a deployed function needs is here (or is local-only) and nothing else is.
  function_env = {
    MINIMETER_MODE           = "cloud"
    GCP_PROJECT              = var.project_id
    PUBSUB_TOPIC             = google_pubsub_topic.source[local.ingestion_topic].name
    BQ_DATASET               = google_bigquery_dataset.warehouse.dataset_id
    SECRET_NAME              = google_secret_manager_secret.credentials[var.utility_credentials_secret_id].secret_id
    ADMIN_KEY_SECRET         = google_secret_manager_secret.admin_key.secret_id
    RAW_BUCKET               = google_storage_bucket.data["raw"].name
    NORMALIZED_BUCKET        = google_storage_bucket.data["normalized"].name
    BQ_LOCATION              = google_bigquery_dataset.warehouse.location
    INSTANCE_CONNECTION_NAME = google_sql_database_instance.main.connection_name
    DB_NAME                  = google_sql_database.minimeter.name
    DB_USER                  = google_sql_user.app.name
    DB_IAM_AUTH              = "false"  # password authentication: DB_PASSWORD below
    DB_IP_TYPE               = "PUBLIC" # the instance has a public IP only (sql.tf), reached through the connector
    DB_POOL_SIZE             = tostring(var.db_pool_size)
    GEMINI_MODEL             = var.gemini_model
    MINIMETER_OCR            = var.bill_ocr
    MAX_UPLOAD_BYTES         = tostring(var.max_upload_bytes)
    LOG_LEVEL                = var.log_level
  }

  # Secrets given as environment variables, pinned to a version: a new password is a new version,
  # and applying it redeploys the functions with it.
  function_secret_env = {
    DB_PASSWORD = {
      secret  = google_secret_manager_secret.db_password.secret_id
      version = google_secret_manager_secret_version.db_password.version
    }
  }

  # GEMINI_API_KEY, only when a key secret is given: the API's agent plans with it, and extract asks
  # Gemini for the bills its templates and heuristics cannot read (step 4 of the bill cascade).
  gemini_secret_env = var.gemini_api_key_secret_id == null ? {} : {
    GEMINI_API_KEY = { secret = var.gemini_api_key_secret_id, version = "latest" }
  }

  # Shared by every module call below.
  function_source = {
    packages          = { common = "${local.repo_root}/common" }
    requirements_file = "${local.repo_root}/requirements.txt"
  }

  # Event delivery of each event function, from the topology.
  subscription_of = { for name, s in local.subscriptions : s.function => merge(s, { name = name }) }
}

module "api" {
  #checkov:skip=CKV_GCP_124:The API's clients are outside Google Cloud, so its ingress is ALLOW_ALL; every call still needs an identity token of an api_invokers member (roles/run.invoker) and an API key. The event functions are ALLOW_INTERNAL_ONLY.
  source = "./modules/function"

  project_id         = var.project_id
  region             = var.region
  name               = "${var.name_prefix}-api"
  service_account_id = "${var.name_prefix}-api"
  description        = "MiniMeter HTTP API: customers, accounts, jobs, uploads, dashboard, agent."
  entry_point        = local.functions["api"].target

  source_dir            = "${local.repo_root}/functions/api"
  packages              = local.function_source.packages
  requirements_file     = local.function_source.requirements_file
  source_bucket         = google_storage_bucket.function_source.name
  build_service_account = google_service_account.build.id
  docker_repository     = google_artifact_registry_repository.functions.id

  environment        = local.function_env
  secret_environment = merge(local.function_secret_env, local.gemini_secret_env)
  project_roles      = local.project_roles["api"]

  memory          = local.sizing["api"].memory
  cpu             = local.sizing["api"].cpu
  timeout_seconds = local.sizing["api"].timeout_seconds
  min_instances   = local.sizing["api"].min_instances
  max_instances   = local.sizing["api"].max_instances
  concurrency     = local.sizing["api"].concurrency

  # Reachable from the internet, but only with an identity token of an api_invokers member
  # (roles/run.invoker); the application then checks its own API key (X-API-Key).
  ingress  = "ALLOW_ALL"
  invokers = var.api_invokers
  trigger  = { type = "http" }

  depends_on = [google_project_service.enabled, google_project_iam_member.build_writes_logs, google_project_iam_member.build_reads_sources, google_artifact_registry_repository_iam_member.build_pushes_images]
}

module "ingest" {
  source = "./modules/function"

  project_id         = var.project_id
  region             = var.region
  name               = "${var.name_prefix}-ingest"
  service_account_id = "${var.name_prefix}-ingest"
  description        = "MiniMeter ingest: fetches an account's files into the raw bucket."
  entry_point        = local.functions["ingest"].target

  source_dir            = "${local.repo_root}/functions/ingest"
  packages              = local.function_source.packages
  requirements_file     = local.function_source.requirements_file
  source_bucket         = google_storage_bucket.function_source.name
  build_service_account = google_service_account.build.id
  docker_repository     = google_artifact_registry_repository.functions.id

  environment        = local.function_env
  secret_environment = local.function_secret_env
  project_roles      = local.project_roles["ingest"]

  memory          = local.sizing["ingest"].memory
  cpu             = local.sizing["ingest"].cpu
  timeout_seconds = local.sizing["ingest"].timeout_seconds
  min_instances   = local.sizing["ingest"].min_instances
  max_instances   = local.sizing["ingest"].max_instances
  concurrency     = local.sizing["ingest"].concurrency

  ingress = "ALLOW_INTERNAL_ONLY"
  trigger = {
    type                  = "pubsub"
    delivery              = var.event_delivery
    topic                 = google_pubsub_topic.source[local.subscription_of["ingest"].topic].id
    subscription_name     = local.subscription_of["ingest"].name
    dead_letter_topic     = google_pubsub_topic.dead_letter[local.subscription_of["ingest"].dead_letter_topic].id
    max_delivery_attempts = local.pubsub_max_delivery_attempts[local.subscription_of["ingest"].name]
    minimum_backoff       = var.retry_minimum_backoff
    maximum_backoff       = var.retry_maximum_backoff
  }
  pubsub_service_agent = local.pubsub_service_agent

  depends_on = [google_project_service.enabled, google_project_service_identity.eventarc, google_project_iam_member.build_writes_logs, google_project_iam_member.build_reads_sources, google_artifact_registry_repository_iam_member.build_pushes_images]
}

module "extract" {
  source = "./modules/function"

  project_id         = var.project_id
  region             = var.region
  name               = "${var.name_prefix}-extract"
  service_account_id = "${var.name_prefix}-extract"
  description        = "MiniMeter extract: classifies, extracts and audits each raw file."
  entry_point        = local.functions["extract"].target

  source_dir            = "${local.repo_root}/functions/extract"
  packages              = local.function_source.packages
  requirements_file     = local.function_source.requirements_file
  source_bucket         = google_storage_bucket.function_source.name
  build_service_account = google_service_account.build.id
  docker_repository     = google_artifact_registry_repository.functions.id

  environment        = local.function_env
  secret_environment = merge(local.function_secret_env, local.gemini_secret_env)
  project_roles      = local.project_roles["extract"]

  memory          = local.sizing["extract"].memory
  cpu             = local.sizing["extract"].cpu
  timeout_seconds = local.sizing["extract"].timeout_seconds
  min_instances   = local.sizing["extract"].min_instances
  max_instances   = local.sizing["extract"].max_instances
  concurrency     = local.sizing["extract"].concurrency

  ingress = "ALLOW_INTERNAL_ONLY"
  trigger = {
    type                  = "storage"
    delivery              = var.event_delivery
    bucket                = google_storage_bucket.data[local.subscription_of["extract"].bucket_role].name
    topic                 = google_pubsub_topic.source[local.notification_topics[local.subscription_of["extract"].bucket_role]].id
    subscription_name     = local.subscription_of["extract"].name
    dead_letter_topic     = google_pubsub_topic.dead_letter[local.subscription_of["extract"].dead_letter_topic].id
    max_delivery_attempts = local.pubsub_max_delivery_attempts[local.subscription_of["extract"].name]
    minimum_backoff       = var.retry_minimum_backoff
    maximum_backoff       = var.retry_maximum_backoff
  }
  pubsub_service_agent = local.pubsub_service_agent

  depends_on = [google_project_service.enabled, google_project_service_identity.eventarc, google_project_iam_member.build_writes_logs, google_project_iam_member.build_reads_sources, google_artifact_registry_repository_iam_member.build_pushes_images]
}

module "load" {
  source = "./modules/function"

  project_id         = var.project_id
  region             = var.region
  name               = "${var.name_prefix}-load"
  service_account_id = "${var.name_prefix}-load"
  description        = "MiniMeter load: upserts normalized results into Postgres and BigQuery."
  entry_point        = local.functions["load"].target

  source_dir            = "${local.repo_root}/functions/load"
  packages              = local.function_source.packages
  requirements_file     = local.function_source.requirements_file
  source_bucket         = google_storage_bucket.function_source.name
  build_service_account = google_service_account.build.id
  docker_repository     = google_artifact_registry_repository.functions.id

  environment        = local.function_env
  secret_environment = local.function_secret_env
  project_roles      = local.project_roles["load"]

  memory          = local.sizing["load"].memory
  cpu             = local.sizing["load"].cpu
  timeout_seconds = local.sizing["load"].timeout_seconds
  min_instances   = local.sizing["load"].min_instances
  max_instances   = local.sizing["load"].max_instances
  concurrency     = local.sizing["load"].concurrency

  ingress = "ALLOW_INTERNAL_ONLY"
  trigger = {
    type                  = "storage"
    delivery              = var.event_delivery
    bucket                = google_storage_bucket.data[local.subscription_of["load"].bucket_role].name
    topic                 = google_pubsub_topic.source[local.notification_topics[local.subscription_of["load"].bucket_role]].id
    subscription_name     = local.subscription_of["load"].name
    dead_letter_topic     = google_pubsub_topic.dead_letter[local.subscription_of["load"].dead_letter_topic].id
    max_delivery_attempts = local.pubsub_max_delivery_attempts[local.subscription_of["load"].name]
    minimum_backoff       = var.retry_minimum_backoff
    maximum_backoff       = var.retry_maximum_backoff
  }
  pubsub_service_agent = local.pubsub_service_agent

  depends_on = [google_project_service.enabled, google_project_service_identity.eventarc, google_project_iam_member.build_writes_logs, google_project_iam_member.build_reads_sources, google_artifact_registry_repository_iam_member.build_pushes_images]
}
