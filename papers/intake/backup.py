"""``export`` and ``restore``: the whole site as JSON + BibTeX + media files, and back.

What is exported is found, not listed: every model of the project's own apps (those
whose package sits in ``BASE_DIR``: papers, blog, readinggroup… as installed), plus any
model they point to elsewhere (users, say), minus the rows ``migrate`` creates itself
(content types, permissions), which natural keys resolve instead. Primary keys are
kept, so admin URLs and any id stored elsewhere stay valid after a restore.
"""

import hashlib
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models, transaction
from django.utils import timezone

from papers import counts as facet_counts
from papers.bibtex import papers_to_bibtex
from papers.models import Paper
from papers.site.media import EDITOR_UPLOADS

FORMAT = 1
DATA, MANIFEST, BIBTEX, MEDIA = "data.json", "manifest.json", "papers.bib", "media"
# Rows that migrate creates on every database; natural keys point at them instead.
_CREATED_BY_MIGRATE = {ContentType, Permission}
# Background jobs are work in progress, not content: a restored site starts with none.
# The site-wide counts are derived from the papers: counted again after a restore.
_NOT_CONTENT = {"papers.Job", "papers.FacetCount"}


class BackupError(Exception):
    """Export or restore cannot go on; the message says why."""


def project_models():
    """Models of the project's apps and what they refer to, in a stable order."""
    base = Path(settings.BASE_DIR).resolve()
    found = [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
        for model in config.get_models()
    ]
    queue = list(found)
    while queue:
        model = queue.pop()
        for field in model._meta.get_fields():
            target = field.related_model if field.is_relation and field.concrete else None
            if field.many_to_many and not field.concrete:
                target = None
            if target is None or target in found or target in _CREATED_BY_MIGRATE:
                continue
            found.append(target)
            queue.append(target)
    return [
        model
        for model in sorted(found, key=lambda m: m._meta.label)
        if model._meta.managed and not model._meta.proxy and model._meta.label not in _NOT_CONTENT
    ]


def _file_names(model_list):
    """Names of the stored files the rows refer to, and of editor uploads."""
    names = set()
    for model in model_list:
        fields = [f.name for f in model._meta.fields if isinstance(f, models.FileField)]
        # A cover's WebP rendition (papers.site.images.RenditionImageField): the restored
        # row names it, so it must be there.
        fields += [f.rendition_field for f in model._meta.fields if hasattr(f, "rendition_field")]
        for field in fields:
            names.update(
                name
                for name in model._base_manager.exclude(**{field: ""}).values_list(field, flat=True)
                if name
            )
    names.update(_walk(default_storage, EDITOR_UPLOADS))
    return sorted(names)


def _walk(storage, folder):
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [f"{folder}/{name}" for name in files]
    for directory in directories:
        found += _walk(storage, f"{folder}/{directory}")
    return found


def _inside(root, name):
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"Refusing the file name {name!r}: it leaves the export folder.")
    return path


def export_site(directory):
    """Write the site to ``directory`` (new or empty); return the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; export into a new folder.")
    (directory / MEDIA).mkdir(parents=True, exist_ok=True)
    model_list = project_models()
    labels = [model._meta.label for model in model_list]
    # One read transaction, so the counts, the dump and the file list agree.
    with transaction.atomic():
        call_command(
            "dumpdata",
            *labels,
            natural_foreign=True,
            use_base_manager=True,
            indent=1,
            output=str(directory / DATA),
            verbosity=0,
        )
        counts = {m._meta.label: m._base_manager.count() for m in model_list}
        papers = Paper.objects.newest_first().for_export()
        (directory / BIBTEX).write_text(papers_to_bibtex(papers, full=True), encoding="utf-8")
        names = _file_names(model_list)
    copied, missing = [], []
    for name in names:
        try:
            with default_storage.open(name, "rb") as source:
                content = source.read()
        except (FileNotFoundError, OSError):
            missing.append(name)
            continue
        target = _inside(directory / MEDIA, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        copied.append({"name": name, "sha256": hashlib.sha256(content).hexdigest()})
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "counts": counts,
        "media": copied,
        "missing_media": missing,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} is missing: is {directory} an export folder?") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{path} is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Papershelf export of format {FORMAT}.")
    return manifest


def restore_site(directory):
    """Load an export into an empty database; all or nothing. Returns the counts."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if not (directory / DATA).is_file():
        raise BackupError(f"{directory / DATA} is missing.")
    counts = manifest.get("counts") or {}
    model_list = []
    for label in counts:
        try:
            model_list.append(apps.get_model(label))
        except (LookupError, ValueError):
            raise BackupError(f"The export has {label}, which this site does not have.") from None
    not_empty = [m._meta.label for m in model_list if m._base_manager.exists()]
    if not_empty:
        raise BackupError(
            "Restore needs an empty database; these already have rows: "
            + ", ".join(not_empty)
            + "."
        )
    written = []
    try:
        with transaction.atomic():
            call_command("loaddata", str(directory / DATA), verbosity=0)
            # Fixtures load raw, without the signals that keep search documents and the
            # site-wide counts current.
            call_command("search_index", verbosity=0)
            facet_counts.rebuild()
            restored = {m._meta.label: m._base_manager.count() for m in model_list}
            if restored != counts:
                wrong = [
                    f"{k}: {restored.get(k)} ≠ {v}"
                    for k, v in counts.items()
                    if restored.get(k) != v
                ]
                raise BackupError("The restored rows do not match the export: " + "; ".join(wrong))
            for item in manifest.get("media", []):
                name = item["name"]
                content = _inside(directory / MEDIA, name).read_bytes()
                if hashlib.sha256(content).hexdigest() != item["sha256"]:
                    raise BackupError(f"The media file {name} is damaged (checksum differs).")
                if default_storage.exists(name):
                    with default_storage.open(name, "rb") as existing:
                        if existing.read() == content:
                            continue
                    raise BackupError(f"A different file is already stored as {name}.")
                saved = default_storage.save(name, ContentFile(content))
                written.append(saved)
                if saved != name:
                    raise BackupError(f"The storage renamed {name} to {saved}.")
    except BackupError:
        _delete(written)
        raise
    except Exception as error:  # loaddata raises many kinds; the data stays untouched
        _delete(written)
        raise BackupError(f"Could not load {directory / DATA}: {error}") from None
    return restored


def _delete(names):
    for name in names:
        default_storage.delete(name)
