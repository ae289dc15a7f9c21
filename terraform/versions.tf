# Terraform and provider constraints. No provider can be downloaded on the development machines, so
# the configuration is checked statically (python-hcl2 tests and checkov, see tests/terraform/).
terraform {
  # optional() object attributes with defaults need 1.3; 1.5 is the oldest release still widely used.
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
    # google-beta only for google_project_service_identity, which creates the Pub/Sub and Eventarc
    # service agents up front so the IAM bindings that name them can be applied in the same run.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.0, < 8.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
    # output_sha256 (the content hash in each function's source object name) needs 2.4.
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4, < 3.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = local.labels
}

provider "google-beta" {
  project = var.project_id
  region  = var.region

  default_labels = local.labels
}
