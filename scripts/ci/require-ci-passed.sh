#!/usr/bin/env bash
# Succeeds only if a run of the CI workflow passed on this very commit: the release
# workflow's first job, so that a tag publishes nothing unless CI passed on the commit it
# names. A run still going is waited for (CI may have started with the same push). Only
# `push` runs count: a `pull_request` run whose head is this commit tested the merge of it
# into the base branch, not the tree the tag names.
#
#   GH_TOKEN=... GITHUB_REPOSITORY=owner/repo scripts/ci/require-ci-passed.sh SHA [WORKFLOW]
#
# WORKFLOW is the file name under .github/workflows (default ci.yaml). WAIT_MINUTES (default
# 45) bounds the wait, POLL_SECONDS (default 30) the polling. Uses the GitHub CLI (`gh api`),
# which the runners have; the token needs `actions: read`.
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

sha=${1:-}
workflow=${2:-ci.yaml}
[[ $sha =~ ^[0-9a-f]{40}$ ]] || die "usage: $0 SHA [WORKFLOW] (got '${sha}')"
[[ -n ${GITHUB_REPOSITORY:-} ]] || die "GITHUB_REPOSITORY (owner/repo) is not set"
need gh "the GitHub CLI, which the runners have"
deadline=$((SECONDS + ${WAIT_MINUTES:-45} * 60))

while :; do
  # One line per run of the workflow on this commit: id, status, conclusion, event, URL.
  runs=$(gh api "repos/$GITHUB_REPOSITORY/actions/workflows/$workflow/runs?head_sha=$sha&per_page=100" \
    --jq '.workflow_runs[] | [.id, .status, (.conclusion // "none"), .event, .html_url] | @tsv') ||
    die "could not list the runs of $workflow"
  while IFS=$'\t' read -r id status conclusion event url; do
    [[ -n $id ]] || continue
    if [[ $event == push ]]; then
      say "run $id ($event): $status, $conclusion  $url"
    else
      say "run $id ($event): $status, $conclusion, not counted (not the tagged tree)  $url"
    fi
  done <<<"$runs"
  runs=$(awk -F'\t' '$4 == "push"' <<<"$runs")
  if [[ -z $runs ]]; then
    die "$workflow never ran on a push of $sha: push the commit to a branch CI runs on, let it pass, then tag it"
  fi
  if awk -F'\t' '$2 == "completed" && $3 == "success" { ok = 1 } END { exit !ok }' <<<"$runs"; then
    say "$workflow passed on $sha"
    exit 0
  fi
  if ! awk -F'\t' '$2 != "completed" { going = 1 } END { exit !going }' <<<"$runs"; then
    die "no run of $workflow passed on $sha"
  fi
  ((SECONDS < deadline)) || die "no run of $workflow passed on $sha within ${WAIT_MINUTES:-45} minutes"
  say "waiting for the runs still going"
  sleep "${POLL_SECONDS:-30}"
done
