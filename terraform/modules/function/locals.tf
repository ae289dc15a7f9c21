# Values computed from the inputs alone (no resources): tests/terraform evaluates this file with the
# Terraform CLI where one is installed.
locals {
  is_event = var.trigger.type != "http"
  push     = local.is_event && var.trigger.delivery == "push"
  eventarc = local.is_event && var.trigger.delivery == "eventarc"

  # The CloudEvent types common/events.py accepts (tests/terraform checks they are the same strings).
  event_types = {
    pubsub  = "google.cloud.pubsub.topic.v1.messagePublished"
    storage = "google.cloud.storage.object.v1.finalized"
  }

  # The zip: the function's directory at the root (main.py), each shared package under its own
  # directory, and requirements.txt for the build. Every file but byte-code caches is shipped (Python
  # sources and data such as extraction templates); file() reads text, so the shipped files must be
  # UTF-8 (tests/terraform checks it).
  function_files = {
    for f in fileset(var.source_dir, "**") : f => "${var.source_dir}/${f}"
    if !strcontains(f, "__pycache__") && !endswith(f, ".pyc")
  }
  package_files = merge(concat([{}], [
    for prefix, dir in var.packages : {
      for f in fileset(dir, "**") : "${prefix}/${f}" => "${dir}/${f}"
      if !strcontains(f, "__pycache__") && !endswith(f, ".pyc")
    }
  ])...)
  source_files = merge(local.package_files, local.function_files, { "requirements.txt" = var.requirements_file })
}
