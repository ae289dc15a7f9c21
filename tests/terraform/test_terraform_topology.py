"""Terraform provisions the event topology common/topology.py declares: same names, same wiring."""

from __future__ import annotations

import ast

import pytest
import tfconfig
from tfconfig import block, compact, dynamic, expr

from common import events, topology

ROOT = tfconfig.root()
MODULE = tfconfig.module()
EVENT_FUNCTIONS = {s.function for s in topology.SUBSCRIPTIONS}


# --- the mirror in terraform/topology.tf ------------------------------------------------------------


def test_topology_locals_mirror_the_python_declaration() -> None:
    assert ROOT.local("ingestion_topic") == topology.INGESTION_TOPIC
    assert ROOT.local("bucket_roles") == [topology.RAW_BUCKET_ROLE, topology.NORMALIZED_BUCKET_ROLE]
    assert ROOT.local("max_delivery_attempts") == topology.MAX_DELIVERY_ATTEMPTS
    assert ROOT.local("functions") == {
        fn.name: {"target": fn.target, "signature": fn.signature} for fn in topology.FUNCTIONS
    }
    assert ROOT.local("subscriptions") == {
        s.name: {
            "function": s.function,
            "topic": s.topic,
            "bucket_role": s.bucket_role,
            "dead_letter_topic": s.dead_letter_topic,
            "max_delivery_attempts": s.max_delivery_attempts,
        }
        for s in topology.SUBSCRIPTIONS
    }


def test_derived_topic_names_follow_the_topology() -> None:
    # Terraform names a bucket's notification topic "<role><suffix>" as topology.notification_topic does ...
    assert compact(ROOT.local("notification_topics")) == compact(
        '{ for role in local.bucket_roles : role => "${role}' + topology.NOTIFICATION_TOPIC_SUFFIX + '" }'
    )
    for role in (topology.RAW_BUCKET_ROLE, topology.NORMALIZED_BUCKET_ROLE):
        assert topology.notification_topic(role) == f"{role}{topology.NOTIFICATION_TOPIC_SUFFIX}"
    # ... which is what the topology's dead-letter names imply: "<source topic>-dead-letter".
    for sub in topology.SUBSCRIPTIONS:
        assert sub.dead_letter_topic == f"{topology.source_topic(sub)}-dead-letter", sub.name
    assert "local.ingestion_topic" in expr(ROOT.local("source_topics"))
    assert "values(local.notification_topics)" in expr(ROOT.local("source_topics"))
    assert compact(ROOT.local("dead_letter_topics")) == compact(
        "toset([for s in local.subscriptions : s.dead_letter_topic])"
    )


# --- topics, dead letters, buckets ------------------------------------------------------------------


def test_every_topic_and_dead_letter_topic_is_a_topic_resource_named_after_it() -> None:
    source = ROOT.resource("google_pubsub_topic", "source")
    assert expr(source["for_each"]) == "local.source_topics"
    assert expr(source["name"]) == "each.value"
    dead = ROOT.resource("google_pubsub_topic", "dead_letter")
    assert expr(dead["for_each"]) == "local.dead_letter_topics"
    assert expr(dead["name"]) == "each.value"


def test_dead_letters_are_kept_and_the_pubsub_agent_may_forward_them() -> None:
    hold = ROOT.resource("google_pubsub_subscription", "dead_letter_hold")
    assert expr(hold["for_each"]) == "local.dead_letter_topics"
    assert hold["name"] == "${each.value}" + topology.DEAD_LETTER_HOLD_SUFFIX
    for sub in topology.SUBSCRIPTIONS:
        assert topology.dead_letter_hold_subscription(sub) == sub.dead_letter_topic + topology.DEAD_LETTER_HOLD_SUFFIX
    assert "google_pubsub_topic.dead_letter[each.value]" in expr(hold["topic"])
    assert block(hold, "expiration_policy")["ttl"] == ""
    publisher = ROOT.resource("google_pubsub_topic_iam_member", "pubsub_agent_publishes_dead_letters")
    assert expr(publisher["for_each"]) == "local.dead_letter_topics"
    assert publisher["role"] == "roles/pubsub.publisher"
    assert expr(publisher["member"]) == "local.pubsub_service_agent"
    acker = MODULE.resource("google_pubsub_subscription_iam_member", "pubsub_forwards_dead_letters")
    assert acker["role"] == "roles/pubsub.subscriber"


def test_every_bucket_role_is_a_bucket_with_finalize_notifications() -> None:
    buckets = ROOT.resource("google_storage_bucket", "data")
    assert expr(buckets["for_each"]) == "toset(local.bucket_roles)"
    notification = ROOT.resource("google_storage_notification", "finalize")
    assert "toset(local.bucket_roles)" in expr(notification["for_each"])
    assert notification["event_types"] == ["OBJECT_FINALIZE"]
    # JSON_API_V1: the object resource as the message, as common/events.py decodes it.
    assert notification["payload_format"] == "JSON_API_V1"
    assert expr(notification["topic"]) == "google_pubsub_topic.source[local.notification_topics[each.key]].id"
    env = ROOT.local("function_env")
    assert expr(env["RAW_BUCKET"]) == f'google_storage_bucket.data["{topology.RAW_BUCKET_ROLE}"].name'
    assert expr(env["NORMALIZED_BUCKET"]) == f'google_storage_bucket.data["{topology.NORMALIZED_BUCKET_ROLE}"].name'
    assert expr(env["PUBSUB_TOPIC"]) == "google_pubsub_topic.source[local.ingestion_topic].name"


# --- functions and their triggers -------------------------------------------------------------------


@pytest.mark.parametrize("fn", topology.FUNCTIONS, ids=lambda fn: fn.name)
def test_each_function_is_the_module_built_from_its_directory(fn: topology.Function) -> None:
    call = ROOT.modules.get(fn.name)
    assert call is not None, f"no module {fn.name!r} in terraform/functions.tf"
    assert call["source"] == "./modules/function"
    assert expr(call["entry_point"]) == f'local.functions["{fn.name}"].target'
    assert call["name"].endswith(f"-{fn.name}")
    assert call["source_dir"] == "${local.repo_root}/functions/" + fn.name
    assert expr(call["packages"]) == "local.function_source.packages"
    # The entry point exists in main.py with the decorator of its signature.
    main = tfconfig.REPO_ROOT / "functions" / fn.name / "main.py"
    decorators = {
        node.name: [ast.unparse(d) for d in node.decorator_list]
        for node in ast.walk(ast.parse(main.read_text()))
        if isinstance(node, ast.FunctionDef)
    }
    expected = "functions_framework.http" if fn.signature == "http" else "functions_framework.cloud_event"
    assert expected in decorators.get(fn.target, []), f"{main} has no @{expected} def {fn.target}"


def test_only_event_functions_have_a_subscription_and_each_exactly_one() -> None:
    per_function = [s.function for s in topology.SUBSCRIPTIONS]
    assert sorted(per_function) == sorted(set(per_function))
    for fn in topology.FUNCTIONS:
        assert (fn.name in EVENT_FUNCTIONS) == (fn.signature == "cloudevent"), fn.name
    assert ROOT.modules["api"]["trigger"] == {"type": "http"}


@pytest.mark.parametrize("sub", topology.SUBSCRIPTIONS, ids=lambda s: s.name)
def test_each_trigger_matches_its_topology_subscription(sub: topology.Subscription) -> None:
    assert compact(ROOT.local("subscription_of")) == compact(
        "{ for name, s in local.subscriptions : s.function => merge(s, { name = name }) }"
    )
    trigger = ROOT.modules[sub.function]["trigger"]
    mine = f'local.subscription_of["{sub.function}"]'
    assert expr(trigger["delivery"]) == "var.event_delivery"
    assert expr(trigger["subscription_name"]) == f"{mine}.name"
    assert expr(trigger["dead_letter_topic"]) == f"google_pubsub_topic.dead_letter[{mine}.dead_letter_topic].id"
    assert expr(trigger["max_delivery_attempts"]) == f"local.pubsub_max_delivery_attempts[{mine}.name]"
    if sub.topic is not None:
        assert trigger["type"] == "pubsub"
        assert expr(trigger["topic"]) == f"google_pubsub_topic.source[{mine}.topic].id"
        assert "bucket" not in trigger
    else:
        assert trigger["type"] == "storage"
        assert expr(trigger["bucket"]) == f"google_storage_bucket.data[{mine}.bucket_role].name"
        assert expr(trigger["topic"]) == (
            f"google_pubsub_topic.source[local.notification_topics[{mine}.bucket_role]].id"
        )


def test_the_module_delivers_the_event_types_the_decoder_accepts() -> None:
    assert MODULE.local("event_types") == {
        "pubsub": events.PUBSUB_PUBLISHED,
        "storage": events.STORAGE_FINALIZED,
    }
    trigger = dynamic(MODULE.resource("google_cloudfunctions2_function", "this"), "event_trigger")
    content = block(trigger, "content")
    assert expr(content["event_type"]) == "local.event_types[event_trigger.value.type]"
    assert content["retry_policy"] == "RETRY_POLICY_RETRY"
    assert expr(content["service_account_email"]) == "google_service_account.trigger[0].email"
    filters = block(dynamic(content, "event_filters"), "content")
    assert filters["attribute"] == "bucket"


def test_push_subscriptions_retry_then_dead_letter() -> None:
    sub = MODULE.resource("google_pubsub_subscription", "push")
    assert expr(sub["count"]) == "local.push ? 1 : 0"
    assert expr(sub["name"]) == "var.trigger.subscription_name"
    retry = block(sub, "retry_policy")
    assert expr(retry["minimum_backoff"]) == "var.trigger.minimum_backoff"
    assert expr(retry["maximum_backoff"]) == "var.trigger.maximum_backoff"
    dead = block(sub, "dead_letter_policy")
    assert expr(dead["dead_letter_topic"]) == "var.trigger.dead_letter_topic"
    assert expr(dead["max_delivery_attempts"]) == "var.trigger.max_delivery_attempts"
    push = block(sub, "push_config")
    # functions-framework takes the CloudEvent source from a projects/P/topics/T path.
    assert push["push_endpoint"].endswith("/${var.trigger.topic}")
    assert expr(block(push, "oidc_token")["service_account_email"]) == "google_service_account.trigger[0].email"
    assert block(sub, "expiration_policy")["ttl"] == ""
    assert sub["ack_deadline_seconds"] == topology.PUSH_ACK_DEADLINE_SECONDS


def test_retry_policy_defaults_are_the_topology_s() -> None:
    policy = topology.CLOUD_RETRY_POLICY
    assert ROOT.variables["retry_minimum_backoff"]["default"] == f"{policy.minimum_backoff_seconds:g}s"
    assert ROOT.variables["retry_maximum_backoff"]["default"] == f"{policy.maximum_backoff_seconds:g}s"
    for name in EVENT_FUNCTIONS:
        trigger = ROOT.modules[name]["trigger"]
        assert expr(trigger["minimum_backoff"]) == "var.retry_minimum_backoff"
        assert expr(trigger["maximum_backoff"]) == "var.retry_maximum_backoff"


def test_event_functions_answer_within_the_ack_deadline() -> None:
    sizing = ROOT.local("function_sizing")
    for name in EVENT_FUNCTIONS:
        # 540 s is the longest an event-driven function may run; a push must be answered in time.
        assert sizing[name]["timeout_seconds"] <= min(540, topology.PUSH_ACK_DEADLINE_SECONDS - 1), name


PUBSUB_MIN_DELIVERY_ATTEMPTS = 5  # DeadLetterPolicy.max_delivery_attempts must be within [5, 100]


def test_delivery_attempts_are_the_topology_s_raised_to_what_pubsub_accepts() -> None:
    assert ROOT.local("pubsub_min_delivery_attempts") == PUBSUB_MIN_DELIVERY_ATTEMPTS
    assert compact(ROOT.local("pubsub_max_delivery_attempts")) == compact(
        "{ for name, s in local.subscriptions : name => "
        "max(local.pubsub_min_delivery_attempts, s.max_delivery_attempts) }"
    )
    for sub in topology.SUBSCRIPTIONS:
        assert PUBSUB_MIN_DELIVERY_ATTEMPTS <= max(PUBSUB_MIN_DELIVERY_ATTEMPTS, sub.max_delivery_attempts) <= 100


def test_pubsub_retries_reach_past_the_work_budget() -> None:
    """The code works an event at most MAX_DELIVERY_ATTEMPTS times and refuses later retries of a failed
    one (tests/handlers/test_pipeline.py shows it), so Pub/Sub's larger budget ends in the dead letters."""
    for sub in topology.SUBSCRIPTIONS:
        assert max(PUBSUB_MIN_DELIVERY_ATTEMPTS, sub.max_delivery_attempts) >= topology.MAX_DELIVERY_ATTEMPTS
