# How big each function runs. Computed from variables only: tests/terraform evaluates this file with
# the Terraform CLI where one is installed.
locals {
  # Sizing: extract parses PDFs and XML and load merges interval batches, so they get more memory;
  # the handlers are thread-safe, so the API serves many requests per instance. max_instances bounds
  # the Cloud SQL connections: every instance keeps up to DB_POOL_SIZE of them, and the default
  # db-g1-small allows 50 (3 reserved): (4 + 3 + 4 + 3) instances x 3 = 42 (tests/terraform checks it).
  # Timeouts stay below the push subscriptions' 600 s ack deadline (540 s is the event-function limit).
  function_sizing = {
    api     = { memory = "512Mi", cpu = "1", timeout_seconds = 60, min_instances = 0, max_instances = 4, concurrency = 20 }
    ingest  = { memory = "512Mi", cpu = "1", timeout_seconds = 540, min_instances = 0, max_instances = 3, concurrency = 1 }
    extract = { memory = "1Gi", cpu = "1", timeout_seconds = 300, min_instances = 0, max_instances = 4, concurrency = 2 }
    load    = { memory = "1Gi", cpu = "1", timeout_seconds = 300, min_instances = 0, max_instances = 3, concurrency = 2 }
  }
  sizing = {
    for name, base in local.function_sizing : name => merge(base, {
      for k, v in try(var.function_overrides[name], {}) : k => v if v != null
    })
  }
}
