# Secret Manager: the database password and the admin API key (both generated here), the utility
# credentials secret (SECRET_NAME, created empty: its value comes from the utility, not from
# Terraform) and any further per-account credential secrets.
#
# Replication is automatic (Google chooses the regions) and encryption Google-managed: checkov has no
# failing check for either; customer-managed keys can be added with a replication.auto.customer_managed_encryption block.

resource "google_secret_manager_secret" "db_password" {
  secret_id = "${var.name_prefix}-db-password"
  project   = var.project_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "db_password" {
  secret      = google_secret_manager_secret.db_password.id
  secret_data = random_password.db.result
}

# The admin API key (full access: creates customers and issues their keys). The API reads it through
# Secret Manager at run time (ADMIN_KEY_SECRET names the secret), so rotating it needs no redeploy:
# add a version.
resource "random_password" "admin_key" {
  length  = 48
  special = false
}

resource "google_secret_manager_secret" "admin_key" {
  secret_id = var.admin_key_secret_id
  project   = var.project_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "admin_key" {
  secret      = google_secret_manager_secret.admin_key.id
  secret_data = "mmk_admin_${random_password.admin_key.result}"
}

# Utility credentials: SECRET_NAME (used when an account names no secret) and the secrets accounts
# name explicitly. Created without a version; add one with
#   printf '%s' "$CREDENTIALS" | gcloud secrets versions add utility-credentials --data-file=-
resource "google_secret_manager_secret" "credentials" {
  for_each = toset(concat([var.utility_credentials_secret_id], var.credential_secret_ids))

  secret_id = each.value
  project   = var.project_id

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

# An existing secret holding a Gemini API key (optional). Read only so that a misspelt secret fails
# the plan instead of the API's deployment.
data "google_secret_manager_secret" "gemini" {
  count = var.gemini_api_key_secret_id == null ? 0 : 1

  secret_id = var.gemini_api_key_secret_id
  project   = var.project_id
}
