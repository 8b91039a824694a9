"""The `kikimimi` command: parse arguments, call one function, print."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from analysis.learned import ModelError
from collector.settings import Settings, SettingsError, load_settings

VERBS = (
    "init collect analyze daemon dashboard start status demo digest export classify eval train import".split()
)


def _engine(settings: Settings):  # noqa: ANN202
    from collector.db import make_engine, migrate

    migrate(settings.database.url)
    return make_engine(settings.database.url)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from collector.db import migrate
    from collector.pipeline import sync_sources

    migrate(settings.database.url)
    from collector.db import make_engine

    sync_sources(make_engine(settings.database.url), settings)
    print(f"database ready: {_safe_url(settings.database.url)}")
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_collect(args: argparse.Namespace, settings: Settings) -> int:
    from collector.pipeline import collect

    engine = _engine(settings)
    if args.once:
        reports = asyncio.run(collect(settings, engine, only=args.source))
        for r in reports:
            extra = f" error={r.error}" if r.error else ""
            print(f"{r.name}: {r.result} new_posts={r.new_posts} new_facts={r.new_facts}{extra}")
        return 0
    from collector.daemon import run_collect_loop

    run_collect_loop(settings, engine, only=args.source)
    return 0


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from collector.alerts import analyze_new

    r = analyze_new(settings, _engine(settings))
    print(f"analysed {r.posts} posts: {r.relevant} relevant, {r.alerts} new alerts")
    return 0


def cmd_daemon(args: argparse.Namespace, settings: Settings) -> int:
    from collector.daemon import run_daemon

    run_daemon(settings, _engine(settings))
    return 0


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from collector.daemon import run_dashboard

    _engine(settings)
    return run_dashboard(settings, args.host, args.port).wait()


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    from collector.daemon import run_daemon, run_dashboard

    engine = _engine(settings)
    proc = run_dashboard(settings, args.host, args.port)
    try:
        run_daemon(settings, engine)
    finally:
        proc.terminate()
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from collector.status import source_status

    rows = source_status(settings, _engine(settings))
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(
            f"{r['name']:<20} {r['kind']:<9} {r['last_result']:<12} last={r['last_fetch_at'] or '-'} "
            f"items={r['items_last']} failures={r['consecutive_failures']} next={r['next_run_at'] or '-'}"
            + (f"\n    error: {r['last_error']}" if r["last_error"] else "")
        )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from collector.demo import load_demo

    url = args.database or "sqlite:///data/demo.db"
    counts = load_demo(url, settings, fresh=True)
    print(f"demo data loaded into {_safe_url(url)}: {counts}")
    if args.no_serve:
        return 0
    from dataclasses import replace

    from collector.daemon import run_dashboard
    from collector.settings import DatabaseSettings

    demo_settings = replace(settings, database=DatabaseSettings(url=url))
    return run_dashboard(demo_settings, args.host, args.port).wait()


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from collector.delivery.digest import digest_command

    return digest_command(settings, _engine(settings), date=args.date, preview=args.preview, send=args.send)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from collector import export

    engine = _engine(settings)
    if args.what == "posts":
        records, fields = export.iter_posts(engine), export.POST_FIELDS
    else:
        records, fields = export.iter_alerts(engine), export.ALERT_FIELDS
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            n = export.write(records, fields, args.format, out)
        print(f"wrote {n} {args.what} to {args.output}", file=sys.stderr)
    else:
        export.write(records, fields, args.format, sys.stdout)
    return 0


def _read_jsonl(stream, what: str) -> list[dict]:  # noqa: ANN001
    out = []
    for n, line in enumerate(stream, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SettingsError(f"{what} line {n}: not JSON ({e.msg})") from None
    return out


def _analyzer(settings: Settings, facts_path: str | None):  # noqa: ANN202
    from analysis import Analyzer
    from analysis.io import fact_from_json

    facts = []
    if facts_path:
        with open(facts_path, encoding="utf-8") as f:
            facts = [fact_from_json(d, i) for i, d in enumerate(_read_jsonl(f, facts_path))]
    return Analyzer(settings.analysis_config(), facts)


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    from analysis.io import post_from_json

    analyzer = _analyzer(settings, args.facts)
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"stdin line {n}: not JSON ({e.msg}); skipped", file=sys.stderr)
            continue
        result = analyzer.classify(post_from_json(data if isinstance(data, dict) else {}, n))
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from analysis.evaluate import evaluate, format_report
    from analysis.tuning import by_month, format_months, format_suggestions, suggest_thresholds

    decisions = None
    if args.from_triage:
        from sqlmodel import Session

        from analysis import Analyzer
        from collector.alerts import load_facts
        from collector.labels import triage_decisions, triage_labels

        engine = _engine(settings)
        records, decisions = triage_labels(engine), triage_decisions(engine)
        if args.facts:
            analyzer = _analyzer(settings, args.facts)
        else:  # the fact base the alerts were checked against
            with Session(engine) as session:
                analyzer = Analyzer(settings.analysis_config(), load_facts(session))
        print(f"{len(decisions)} triage decisions, {len(records)} decided posts")
    elif args.file:
        with open(args.file, encoding="utf-8") as f:
            records = _read_jsonl(f, args.file)
        analyzer = _analyzer(settings, args.facts)
    else:
        raise SettingsError(
            "eval: give a labelled JSON Lines FILE, or --from-triage for the team's decisions"
        )
    print(format_report(evaluate(records, analyzer)))
    if decisions is not None:
        print(format_months(by_month(records, decisions, analyzer)))
    if args.suggest_thresholds:
        print(format_suggestions(suggest_thresholds(records, analyzer)))
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from analysis.learned import DEFAULT_PATH
    from analysis.train import (
        Source,
        TrainingError,
        default_corpus,
        labelled_sources,
        parse_fixed,
        summary,
        train,
        write_model,
    )

    try:
        fixed = parse_fixed(args.threshold)
        paths = args.files or default_corpus()
        if not paths and not args.from_triage:
            raise TrainingError(
                "train: name labelled JSON Lines files (no tests/corpus here), or --from-triage"
            )
        sources = labelled_sources(paths, args.facts)
        if args.from_triage:
            from sqlmodel import Session

            from collector.alerts import load_facts
            from collector.labels import triage_labels

            engine = _engine(settings)
            with Session(engine) as session:
                facts = load_facts(session)
            sources.append(Source("triage", triage_labels(engine), facts))
        print(f"training on {', '.join(s.name for s in sources)} ...", file=sys.stderr)
        data = train(sources, settings.analysis_config(), datetime.now(UTC), fixed)
    except (TrainingError, ImportError) as e:
        hint = "; install the dev extra: pip install -e '.[dev]'" if isinstance(e, ImportError) else ""
        print(f"kikimimi: {e}{hint}", file=sys.stderr)
        return 2
    out = write_model(data, args.out or settings.analysis.model_path or DEFAULT_PATH)
    print(summary(data))
    print(f"wrote {out}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from collector.sources.importer import ImportFileError, import_file

    try:
        r = import_file(
            _engine(settings), Path(args.file), args.platform, args.source, settings.digest.timezone
        )
    except ImportFileError as e:
        print(f"kikimimi: {e}", file=sys.stderr)
        return 2
    for e in r.errors:
        print(e, file=sys.stderr)
    print(
        f"imported {r.new} new posts from {args.file} ({r.already} already stored, "
        f"{len(r.errors)} lines skipped, read as {r.encoding})"
    )
    return 1 if r.errors else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kikimimi", description="聞き耳: social listening for a municipality's comms team"
    )
    p.add_argument("--settings", help="settings file (default: $KIKIMIMI_SETTINGS or ./settings.toml)")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    sub.add_parser("init", help="create or migrate the database")
    c = sub.add_parser("collect", help="fetch new posts from the sources")
    c.add_argument("--once", action="store_true", help="one pass over the sources, then exit")
    c.add_argument("--source", help="only this source (by name)")
    sub.add_parser("analyze", help="analyse new posts and raise alerts")
    sub.add_parser("daemon", help="collect, analyse, notify and send the digest on schedule")
    for verb, help_ in (("dashboard", "serve the dashboard"), ("start", "daemon and dashboard together")):
        d = sub.add_parser(verb, help=help_)
        d.add_argument("--host", help="address to bind (default from [dashboard].host, 127.0.0.1)")
        d.add_argument("--port", type=int, help="port (default from [dashboard].port)")
    s = sub.add_parser("status", help="each source's health")
    s.add_argument("--format", choices=["text", "json"], default="text")
    d = sub.add_parser(
        "demo", help="load a realistic sample day into a fresh database and serve the dashboard"
    )
    d.add_argument("--database", help="database URL for the demo (default sqlite:///data/demo.db)")
    d.add_argument("--no-serve", action="store_true", help="load the data only")
    d.add_argument("--host")
    d.add_argument("--port", type=int)
    g = sub.add_parser("digest", help="build (and send) the daily alert digest")
    g.add_argument("--date", help="the day to report, YYYY-MM-DD (default: yesterday in [digest].timezone)")
    g.add_argument("--preview", help="write the HTML email to this file")
    g.add_argument("--send", action="store_true", help="send it by email")
    e = sub.add_parser("export", help="export posts or alerts")
    e.add_argument("what", choices=["posts", "alerts"])
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--output", "-o", help="file to write (default: stdout)")
    k = sub.add_parser("classify", help="JSON Lines posts on stdin → one JSON verdict per line on stdout")
    k.add_argument("--facts", help="JSON Lines official statements to check misinformation against")
    v = sub.add_parser("eval", help="precision/recall/F1 per detector on labelled JSON Lines")
    v.add_argument("file", nargs="?", help="labelled JSON Lines (input keys plus `labels`)")
    v.add_argument("--facts", help="JSON Lines official statements")
    v.add_argument("--from-triage", action="store_true", help="use the team's triage decisions as labels")
    v.add_argument(
        "--suggest-thresholds", action="store_true", help="print the threshold per detector that maximises F1"
    )
    t = sub.add_parser(
        "train", help="train the learned second opinion on labelled posts (needs the dev extra)"
    )
    t.add_argument("files", nargs="*", help="labelled JSON Lines (default: tests/corpus in a checkout)")
    t.add_argument("--from-triage", action="store_true", help="also learn from the team's triage decisions")
    t.add_argument(
        "--facts", help="JSON Lines statements for every file (default: X_facts.jsonl next to X.jsonl)"
    )
    t.add_argument(
        "--threshold", action="append", default=[], metavar="KIND=VALUE|off", help="fix a kind's threshold"
    )
    t.add_argument(
        "--out", help="model file to write (default: [analysis].model_path, else the shipped model)"
    )
    i = sub.add_parser("import", help="import posts from a JSONL or CSV file")
    i.add_argument("file")
    i.add_argument("--platform", default="import", help="platform name for rows without one")
    i.add_argument("--source", default="import", help="source name to record them under")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = load_settings(args.settings)
        handler = globals()[f"cmd_{args.verb}"]
        return handler(args, settings) or 0
    except SettingsError as e:
        print(f"kikimimi: {e}", file=sys.stderr)
        return 2
    except ModelError as e:  # a model file that cannot be used ([analysis] model_path)
        print(f"kikimimi: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
