# Cloud SQL for PostgreSQL 15: the operational database (customers, accounts, jobs, artifacts, bills).
#
# Reachability: the functions connect with the Cloud SQL Python connector (cloud-sql-python-connector
# + pg8000). The connector authorises each connection with the caller's IAM identity
# (roles/cloudsql.client) and encrypts it with a short-lived client certificate, so the instance has
# a public IP but NO authorised networks: nothing can reach it without going through the Cloud SQL
# Admin API as an authorised principal, and ssl_mode requires the connector's client certificate.
# Private IP would need a VPC, Private Service Access and Direct VPC egress on every function: more
# to run and pay for, with no gain for connector-only access.

resource "random_id" "sql_suffix" {
  # Cloud SQL instance names cannot be reused for a week after deletion: a suffix lets a destroyed
  # stack be recreated at once.
  byte_length = 2
}

resource "google_sql_database_instance" "main" {
  #checkov:skip=CKV_GCP_60:Public IP with no authorised networks; only the Cloud SQL connector (IAM-authorised, client-certificate TLS) can connect. See the comment at the top of sql.tf.
  #checkov:skip=CKV2_GCP_13:log_duration writes a log line for every statement (interval loads run thousands): Cloud Logging volume and cost for nothing Query Insights does not already show.
  #checkov:skip=CKV_GCP_79:The design pins PostgreSQL 15 (the version the emulated CI tests against); upgrading is a deliberate migration.
  name             = "${var.name_prefix}-pg-${random_id.sql_suffix.hex}"
  project          = var.project_id
  region           = var.region
  database_version = "POSTGRES_15"

  # Terraform refuses to destroy the instance while true (set false and apply before destroying).
  deletion_protection = var.deletion_protection

  settings {
    tier              = var.sql_tier
    edition           = "ENTERPRISE" # shared-core tiers exist only in Enterprise edition
    availability_type = var.sql_availability_type
    disk_type         = "PD_SSD"
    disk_size         = var.sql_disk_size_gb
    disk_autoresize   = true

    # The API-side guard: the instance cannot be deleted by any client (console, gcloud) while true.
    deletion_protection_enabled = var.deletion_protection

    user_labels = local.labels

    backup_configuration {
      enabled                        = true
      start_time                     = "03:00" # UTC
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = var.sql_log_retention_days

      backup_retention_settings {
        retained_backups = var.sql_backup_retained_count
        retention_unit   = "COUNT"
      }
    }

    ip_configuration {
      ipv4_enabled = true
      # No authorized_networks block: direct connections to the public IP are refused; the connector
      # presents a client certificate, which this mode requires.
      ssl_mode = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    }

    maintenance_window {
      day          = 7 # Sunday
      hour         = 4 # UTC
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      query_string_length     = 1024
      record_application_tags = false
      record_client_address   = false
    }

    # Logging that lets an operator see who connected, lock waits and errors, without writing query
    # text (which holds customer data) to the logs.
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_min_messages"
      value = "warning"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1" # never log statement text by duration
    }
    database_flags {
      name  = "log_statement"
      value = "ddl" # schema changes (migrations) only
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
    # Idle connections of scaled-in function instances are closed after 10 minutes.
    database_flags {
      name  = "idle_in_transaction_session_timeout"
      value = "600000"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_sql_database" "minimeter" {
  name     = "minimeter"
  project  = var.project_id
  instance = google_sql_database_instance.main.name

  # Keep the data if Terraform ever tries to drop the database; the instance carries the protection.
  deletion_policy = "ABANDON"
}

# The application's database user. Its password is generated here, stored in Secret Manager
# (secrets.tf) and given to the functions as the DB_PASSWORD secret environment variable.
# Note: the generated value is also in the Terraform state; keep the state in a bucket only
# operators can read (README: Deployment).
resource "random_password" "db" {
  length  = 32
  special = false # a URL-safe password: DB_URL-style connection strings need no escaping
}

resource "google_sql_user" "app" {
  name     = "minimeter"
  project  = var.project_id
  instance = google_sql_database_instance.main.name
  password = random_password.db.result

  # PostgreSQL refuses to drop a role that owns objects; the instance's deletion removes it anyway.
  deletion_policy = "ABANDON"
}
