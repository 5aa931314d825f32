"""Large tag merges as a job: what a merge of thousands of tagged rows does runs in a
worker, with the job's progress and result page, not in the admin's request.

A merge of up to ``IN_REQUEST`` tagged rows is done in the request (well under a second);
past that, the admin queues a ``papers.merge_tags`` job. The job merges each source tag
into the target in its own transaction (``merging.merge_tags``): a failure or a killed
worker leaves every tag either merged or untouched, and a retry merges what is left.
"""

from papers.jobs.kinds import JobFailed, job_kind
from papers.jobs.queue import enqueue
from papers.merging import MergeError, merge_tags, tagged_count
from papers.tagging import Tag

MERGE_TAGS = "papers.merge_tags"
# Tagged rows (papers, reports, sessions) a merge may move in the request.
IN_REQUEST = 500


def merge_or_queue(sources, target, user):
    """Merge ``sources`` into ``target`` now, or queue the merge when it is large.

    Returns the job when queued (``None`` when merged here). ``MergeError`` for a merge
    that cannot be done (into itself) is raised here in both cases.
    """
    sources = sorted(sources, key=lambda tag: tag.pk)
    if any(source.pk == target.pk for source in sources):
        raise MergeError(f"“{target}” cannot be merged into itself.")
    if tagged_count(sources) <= IN_REQUEST:
        for source in sources:
            merge_tags(source, target)
        return None
    pks = [source.pk for source in sources]
    job, _created = enqueue(
        MERGE_TAGS,
        label=f"Merge {', '.join(f'“{s}”' for s in sources)} into “{target}”"[:200],
        params={"sources": pks, "target": target.pk},
        user=user,
        # The same merge asked twice (a double click, two editors) is one job.
        dedupe_key=f"{MERGE_TAGS}:{pks}:{target.pk}",
    )
    return job


@job_kind(MERGE_TAGS, time_limit=30 * 60, verbose_name="Tag merge")
def merge_tags_job(job, progress):
    target = Tag.objects.filter(pk=job.params["target"]).first()
    if target is None:
        raise JobFailed("The tag to merge into no longer exists (merged or deleted meanwhile).")
    pending = job.params["sources"]
    present = {tag.pk: tag for tag in Tag.objects.filter(pk__in=pending)}
    total = tagged_count(present.values())
    progress(total=total, done=0, message=f"Merging into “{target}”", force=True)
    merged, gone, done = [], [], 0
    for pk in pending:
        source = present.get(pk)
        if source is None:  # merged by a first attempt, or deleted since: nothing to move
            gone.append(pk)
            continue
        size = tagged_count([source])
        try:
            merge_tags(source, target)
        except MergeError as error:
            raise JobFailed(str(error), result={"merged": merged}) from None
        merged.append(source.name)
        done += size
        progress(done=done, message=f"“{source}” merged into “{target}”")
    progress(done=total, force=True)
    return {"into": target.name, "merged": merged, "retagged": total, "already_gone": gone}
