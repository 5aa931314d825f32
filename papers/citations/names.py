"""A byline name (``Ludwig van Beethoven``, ``Martin Luther King, Jr``) split into the
parts citation formats want, and joined again on import."""

from dataclasses import dataclass

# Lower-case words before a family name that belong to it ("van der Waals").
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "la",
              "le", "ten", "ter", "zu", "al", "el", "bin", "ibn"}  # fmt: skip


@dataclass
class Name:
    given: str = ""
    particle: str = ""
    family: str = ""
    suffix: str = ""
    literal: str = ""  # one word (a mononym, a name in a script without spaces)

    @property
    def family_with_particle(self):
        return " ".join(part for part in (self.particle, self.family) if part)

    def inverted(self):
        """``van Beethoven, Ludwig`` (RIS); a literal name as it is."""
        if self.literal:
            return self.literal
        parts = [self.family_with_particle, self.given, self.suffix]
        return ", ".join(part for part in parts if part)

    def full(self):
        """``Ludwig van Beethoven``, ``Martin Luther King, Jr``: how the byline stores it."""
        if self.literal:
            return self.literal
        name = " ".join(part for part in (self.given, self.family_with_particle) if part)
        return f"{name}, {self.suffix}" if self.suffix else name


def split_name(name):
    """The stored byline form (given names first) → ``Name``."""
    name, _, suffix = " ".join((name or "").split()).partition(", ")
    suffix = suffix.strip()
    words = name.split()
    if len(words) < 2:
        return Name(family=name, suffix=suffix) if suffix else Name(literal=name)
    family_start = len(words) - 1
    particle_start = family_start
    while particle_start > 1 and words[particle_start - 1] in _PARTICLES:
        particle_start -= 1
    return Name(
        given=" ".join(words[:particle_start]),
        particle=" ".join(words[particle_start:family_start]),
        family=words[-1],
        suffix=suffix,
    )


def from_inverted(text):
    """``Family, Given[, Suffix]`` (RIS, Zotero) → the stored byline form."""
    parts = [part.strip() for part in " ".join((text or "").split()).split(",")]
    parts = [part for part in parts if part]
    if len(parts) == 1:
        return parts[0]
    family, given, *rest = parts
    name = f"{given} {family}"
    return f"{name}, {', '.join(rest)}" if rest else name
