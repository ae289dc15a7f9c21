# BigQuery: the analytics warehouse (the cloud twin of the DuckDB warehouse in embedded mode).
# Table schemas are generated from the code (common/warehouse_schema.py) by `make terraform-schemas`
# into schemas/*.json; tests/terraform fails when they drift from what the code generates, and checks
# the partitioning and clustering below against the same module.
#
# Encryption: Google-managed keys (checkov CKV_GCP_81 / CKV_GCP_80 ask for customer-managed keys):
# CMEK would add a Cloud KMS key ring and rotation to operate for no requirement MiniMeter has.

locals {
  # Table => description, clustering and DAY partitioning column (common/warehouse_schema.py
  # CLUSTERING and PARTITION_FIELD).
  warehouse_tables = {
    normalized_bills = {
      description     = "One row per extracted bill (natural key bill_id); json_payload holds the whole NormalizedBill."
      clustering      = ["customer_id", "utility_account_id"]
      partition_field = null
    }
    # Partitioned by day on the reading's instant, so a query over a period scans only that period;
    # clustered by account and meter, the filters every usage query has.
    interval_usage = {
      description     = "Interval readings (UTC instants), one row per account, meter, direction and interval start."
      clustering      = ["utility_account_id", "meter_id"]
      partition_field = "ts"
    }
    interval_reconciliation = {
      description     = "Billed usage against the interval total of each bill period, per account, bill, commodity and unit."
      clustering      = ["customer_id", "utility_account_id"]
      partition_field = null
    }
  }
}

resource "google_bigquery_dataset" "warehouse" {
  #checkov:skip=CKV_GCP_81:Google-managed encryption by design (see the comment at the top of bigquery.tf).
  dataset_id    = "minimeter" # BQ_DATASET
  project       = var.project_id
  location      = local.bigquery_location
  friendly_name = "MiniMeter warehouse"
  description   = "Normalized bills, interval usage and reconciliations loaded by the load function."

  # Keep the tables' data when Terraform destroys the dataset unless protection is off.
  delete_contents_on_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "warehouse" {
  #checkov:skip=CKV_GCP_80:Google-managed encryption by design (see the comment at the top of bigquery.tf).
  for_each = local.warehouse_tables

  dataset_id  = google_bigquery_dataset.warehouse.dataset_id
  project     = var.project_id
  table_id    = each.key
  description = each.value.description

  schema = file("${path.module}/schemas/${each.key}.json")

  clustering = each.value.clustering

  dynamic "time_partitioning" {
    for_each = each.value.partition_field == null ? [] : [each.value.partition_field]
    content {
      type  = "DAY"
      field = time_partitioning.value
    }
  }

  deletion_protection = var.deletion_protection
}
