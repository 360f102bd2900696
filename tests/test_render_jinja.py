"""The sandboxed template environment: language variants and template errors as diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from indbuilder.diagnostics import Diagnostics
from indbuilder.render import TemplateEnv


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return tmp_path


def env_for(root: Path) -> TemplateEnv:
    return TemplateEnv([root / "templates/ectd", root / "defaults"], root=root)


def formatted(diags: Diagnostics) -> list[str]:
    return [d.format() for d in diags]


def test_undefined_attribute_names_template_line_and_dotted_expression(project):
    write(
        project / "templates/ectd/m3/32p81.md.j2",
        "# {{ t(product.name) }}\n\n{% for lot in lots %}\n- {{ lot.id }}\n{% endfor %}\n"
        "\n\n\n\n\n\nShelf life: {{ product.shelf_lif }} months.\n",
    )
    diags = Diagnostics()
    out = env_for(project).render(
        "m3/32p81.md.j2", {"product": {"name": {"en": "X", "zh": "X"}, "shelf_life": 12}, "lots": [{"id": "L1"}]}, "en", diags
    )
    assert out is None
    assert formatted(diags) == [
        "templates/ectd/m3/32p81.md.j2:12: error [template.undefined] 'product.shelf_lif' is undefined"
    ]


def test_undefined_name_and_good_render_is_quiet(project):
    write(project / "templates/ectd/a.md.j2", "line one\n{{ sponsor }}\n")
    diags = Diagnostics()
    assert env_for(project).render("a.md.j2", {}, "en", diags) is None
    assert formatted(diags) == ["templates/ectd/a.md.j2:2: error [template.undefined] 'sponsor' is undefined"]
    ok = Diagnostics()
    out = env_for(project).render("a.md.j2", {"sponsor": "ACME"}, "en", ok)
    assert out is not None and out.text == "line one\nACME\n" and not ok.items


def test_undefined_in_included_template_points_at_the_included_file(project):
    write(project / "templates/ectd/main.md.j2", "a\n{% include 'parts/p.md.j2' %}\n")
    write(project / "templates/ectd/parts/p.md.j2", "x\ny\n{{ study.noael }}\n")
    diags = Diagnostics()
    assert env_for(project).render("main.md.j2", {"study": {}}, "en", diags) is None
    assert formatted(diags) == [
        "templates/ectd/parts/p.md.j2:3: error [template.undefined] 'study.noael' is undefined"
    ]


def test_syntax_error_reports_line(project):
    write(project / "templates/ectd/bad.md.j2", "ok\nok\n{% if x %}\nno end\n")
    write(project / "templates/ectd/bad2.md.j2", "ok\n{{ x + }}\n")
    diags = Diagnostics()
    env = env_for(project)
    assert env.render("bad.md.j2", {"x": 1}, "en", diags) is None
    assert env.render("bad2.md.j2", {"x": 1}, "en", diags) is None
    assert [(d.rule, str(d.location)) for d in diags] == [
        ("template.syntax", "templates/ectd/bad.md.j2:4"),
        ("template.syntax", "templates/ectd/bad2.md.j2:2"),
    ]
    assert "endif" in diags.items[0].message


@pytest.mark.parametrize(
    "expr, attr, owner",
    [
        ("''.__class__", "__class__", "str"),
        ("''.__class__.__mro__", "__class__", "str"),
        ("lots.__class__.__subclasses__()", "__class__", "list"),
        ("cycler.__init__.__globals__", "__init__", "type"),
        ("'{0.__class__}'.format(1)", "__class__", "int"),
        ("lots.append(1)", "append", "list"),
        ("product.update({'a': 1})", "update", "dict"),
    ],
)
def test_sandbox_blocks_internals_and_mutation(project, expr, attr, owner):
    write(project / "templates/ectd/evil.md.j2", "first\n{{ " + expr + " }}\n")
    diags = Diagnostics()
    out = env_for(project).render("evil.md.j2", {"lots": [1], "product": {}}, "en", diags)
    assert out is None
    (d,) = diags.items
    assert (d.rule, str(d.location)) == ("template.unsafe", "templates/ectd/evil.md.j2:2")
    assert d.message == f"access to attribute '{attr}' of '{owner}' object is unsafe"


def test_filter_error_and_exception_become_template_error(project):
    write(project / "templates/ectd/f.md.j2", "a\n{{ viability|num }}\n")
    write(project / "templates/ectd/z.md.j2", "a\nb\n{{ 1 / n }}\n")
    diags = Diagnostics()
    env = env_for(project)
    assert env.render("f.md.j2", {"viability": "ninety"}, "en", diags) is None
    assert env.render("z.md.j2", {"n": 0}, "en", diags) is None
    assert formatted(diags) == [
        "templates/ectd/f.md.j2:2: error [template.error] num: expected a number, got 'ninety'",
        "templates/ectd/z.md.j2:3: error [template.error] a number is divided by zero in `1 / n`\n"
        "    hint: check the facts the template divides by (a count or total of 0)",
    ]


def test_missing_template_and_missing_include(project):
    write(project / "templates/ectd/inc.md.j2", "a\n{% include 'nope.md.j2' %}\n")
    diags = Diagnostics()
    env = env_for(project)
    assert env.render("absent.md.j2", {}, "en", diags) is None
    assert env.render("inc.md.j2", {}, "en", diags) is None
    assert [d.rule for d in diags] == ["template.error", "template.error"]
    assert "'absent.md.j2' not found" in diags.items[0].message
    assert "'nope.md.j2' not found" in diags.items[1].message
    assert str(diags.items[1].location) == "templates/ectd/inc.md.j2:2"


def test_language_variant_and_project_override(project):
    write(project / "defaults/m3/x.md.j2", "default en\n")
    write(project / "defaults/m3/x.zh.md.j2", "default zh\n")
    write(project / "templates/ectd/m3/x.md.j2", "project en\n")
    env = env_for(project)
    en = env.render("m3/x.md.j2", {}, "en", Diagnostics())
    zh = env.render("m3/x.md.j2", {}, "zh", Diagnostics())
    assert en.text == "project en\n" and en.path == "templates/ectd/m3/x.md.j2"
    # a Chinese document uses a Chinese template wherever one exists
    assert zh.text == "default zh\n" and zh.path == "defaults/m3/x.zh.md.j2"
    write(project / "templates/ectd/m3/x.zh.md.j2", "project zh\n")
    assert env_for(project).render("m3/x.md.j2", {}, "zh", Diagnostics()).text == "project zh\n"


def test_trim_blocks_and_trailing_newline(project):
    write(project / "templates/ectd/l.md.j2", "{% for i in items %}\n  {% if i %}\n- {{ i }}\n  {% endif %}\n{% endfor %}\n")
    out = env_for(project).render("l.md.j2", {"items": [1, 0, 2]}, "en", Diagnostics())
    assert out.text == "- 1\n- 2\n"


def test_render_string_reports_given_filename(project):
    diags = Diagnostics()
    env = env_for(project)
    out = env.render_string("a\n{{ missing.x }}\n", "content/narrative/32p81.md", {"missing": {}}, "en", diags)
    assert out is None
    assert formatted(diags) == [
        "content/narrative/32p81.md:2: error [template.undefined] 'missing.x' is undefined"
    ]


def test_rendering_is_deterministic(project):
    write(project / "templates/ectd/d.md.j2", "{% for k, v in data|dictsort %}{{ k }}={{ v|num(1) }};{% endfor %}\n")
    ctx = {"data": {"b": 2, "a": 1234.56}}
    outs = {env_for(project).render("d.md.j2", ctx, "en", Diagnostics()).text for _ in range(3)}
    assert outs == {"a=1,234.6;b=2.0;"}  # trim_blocks eats the newline after endfor


def test_undefined_attribute_ambiguous_line_names_candidates(project):
    write(project / "templates/ectd/amb.md.j2", "{{ a.x }} and {{ b.x }}\n{{ items[5] }}\n")
    env = env_for(project)
    diags = Diagnostics()
    assert env.render("amb.md.j2", {"a": {"x": 1}, "b": {}, "items": []}, "en", diags) is None
    assert formatted(diags) == ["templates/ectd/amb.md.j2:1: error [template.undefined] 'a.x' or 'b.x' is undefined"]
    diags = Diagnostics()
    write(project / "templates/ectd/idx.md.j2", "ok\n{{ items[5] }}\n")
    assert env.render("idx.md.j2", {"items": []}, "en", diags) is None
    assert formatted(diags) == ["templates/ectd/idx.md.j2:2: error [template.undefined] 'items[5]' is undefined"]


def test_pydantic_fact_models_in_templates(project):
    from indbuilder.model.common import Quantity, Text

    write(project / "templates/ectd/m.md.j2", "{{ name|t }}: {{ dose|unit }}; {{ t(name) }}\n")
    ctx = {"name": Text(en="Cell dose", zh="细胞剂量"), "dose": Quantity(value=3, unit="days")}
    assert env_for(project).render("m.md.j2", ctx, "zh", Diagnostics()).text == "细胞剂量: 3天; 细胞剂量\n"


def test_variant_name_matches_planner_rule():
    from indbuilder.outline.planner import resolve_template
    from indbuilder.render.jinja_env import variant_name

    for name in ("m3/32p81-stability-summary.md.j2", "m1/1.3.4.md.j2", "x.md.j2"):
        assert resolve_template(name, "zh", frozenset({variant_name(name, "zh"), name})) == variant_name(name, "zh")
    assert variant_name("m1/1.3.4.md.j2", "zh") == "m1/1.3.4.zh.md.j2"
    assert variant_name("parts/a.j2", "en") == "parts/a.en.j2"


def test_line_map_traces_rendered_lines_to_template_lines(project):
    write(project / "templates/ectd/parts/inc.md.j2", "included one\nincluded ~~two~~\n")
    write(project / "templates/ectd/_m.j2", "{% macro rows(n) %}\n{% for i in range(n) %}\n| {{ i }} |\n{% endfor %}\n{% endmacro %}\n")
    write(
        project / "templates/ectd/doc.md.j2",
        "{% import '_m.j2' as m %}\n"  # 1
        "# Title {{ name }}\n"  # 2
        "\n"  # 3
        "{% for x in items %}\n"  # 4
        "- item {{ x }}\n"  # 5
        "  continues\n"  # 6
        "{% endfor %}\n"  # 7
        "\n"  # 8
        "{% include 'parts/inc.md.j2' %}\n"  # 9
        "| h |\n"  # 10
        "|---|\n"  # 11
        "{{ m.rows(3) }}\n"  # 12
        "after {{ name }}\n",  # 13
    )
    out = env_for(project).render("doc.md.j2", {"name": "N", "items": [1, 2]}, "en", Diagnostics())
    lines = out.text.split("\n")
    where = {text: str(loc) for text, loc in zip(lines, out.line_map)}
    assert where["# Title N"] == "templates/ectd/doc.md.j2:2"
    assert where["- item 2"] == "templates/ectd/doc.md.j2:5"
    assert where["  continues"] == "templates/ectd/doc.md.j2:6"
    assert where["included ~~two~~"] == "templates/ectd/doc.md.j2:9"  # the include statement
    assert where["| h |"] == "templates/ectd/doc.md.j2:10"
    assert where["| 2 |"] == "templates/ectd/doc.md.j2:12"  # a macro's output: the calling line
    assert where["after N"] == "templates/ectd/doc.md.j2:13"
    assert len(out.line_map) == len(out.text.splitlines())
