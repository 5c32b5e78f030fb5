"""The `supportbot` command: run the bot, ask it one question, check and measure knowledge.

Every sub-command is listed in README.md with an example.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

from shared.logs import log_level
from shared.settings import Settings

log = logging.getLogger("supportbot")


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "kb", None):
        settings.knowledge_path = Path(args.kb)
    return settings


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


# --- ask ---------------------------------------------------------------------------------


async def _ask(settings: Settings, text: str) -> dict:
    from shared.messages import CollectingChannel, Incoming
    from shared.pipeline import Pipeline

    pipeline = await Pipeline.start(settings, watch=False)
    try:
        channel = CollectingChannel()
        msg = Incoming(
            text=text,
            channel=channel,
            platform="cli",
            conversation_id="cli",
            user_id=os.environ.get("USER", "cli-user"),
        )
        outcome = await pipeline.handle(msg)
        return outcome.as_json()
    finally:
        await pipeline.close()


def cmd_ask(args: argparse.Namespace) -> int:
    from shared.knowledge import KnowledgeError

    try:
        result = asyncio.run(_ask(_settings(args), args.text))
    except KnowledgeError as exc:
        _print_problems(exc.problems)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result["text"] or "")
    return 0


# --- kb ------------------------------------------------------------------------------------


def cmd_kb_check(args: argparse.Namespace) -> int:
    from shared.knowledge import KnowledgeError, load_knowledge

    path = Path(args.path) if args.path else Settings.from_env().knowledge_path
    try:
        knowledge = load_knowledge(path)
    except KnowledgeError as exc:
        _print_problems(exc.problems)
        errors = sum(1 for p in exc.problems if not p.warning)
        print(f"{path}: {errors} error(s); the knowledge cannot be used", file=sys.stderr)
        return 1
    warnings = list(knowledge.warnings)
    if not args.no_model:
        from shared.matching import Index, model_for

        settings = Settings.from_env()
        model = model_for(
            settings.model or knowledge.settings.matching.model, knowledge, settings.data_dir
        )
        index = Index(knowledge, model, settings.cache_dir)
        warnings += index.conflicts(threshold=args.conflict_threshold)
    _print_problems(warnings)
    if not args.no_model:
        print(_describe_thresholds(index))
    print(
        f"OK: {len(knowledge.entries)} entries in {len(knowledge.files)} file(s), "
        f"{len(warnings)} warning(s)"
    )
    return 0


def _describe_thresholds(index) -> str:
    """The answer thresholds in use and what they do to the knowledge's held-out phrasings
    (shared/calibration.py)."""
    used = index.settings
    line = f"answer thresholds: {used.describe_thresholds()}"
    if used.explicit & {"answer_threshold", "answer_threshold_cjk"}:
        line += " (partly set in settings.yaml)"
    c = index.calibration
    if c is None or not c.in_scope:
        return line
    # the calibration's own figures: at the calibrated (or default) thresholds, closest
    # phrasing only (the ranking margin is not applied)
    return (
        f"{line}; of {c.in_scope} held-out phrasings, {c.in_scope_right:.0%} reach the "
        f"calibrated threshold with their own entry closest, {c.out_of_scope_rejected:.0%} "
        "stay below it with their entry left out"
    )


def _refuse_overwrite(inputs: list[str], outputs: list[str], force: bool) -> str | None:
    """Why writing ``outputs`` would lose something (None: it would not): an output that is
    an input, or an existing file without ``--force`` (a knowledge file, say)."""
    sources = {Path(p).resolve() for p in inputs}
    for out in outputs:
        if Path(out).resolve() in sources:
            return f"{out} is also the input: choose another output file"
        if Path(out).exists() and not force:
            return f"{out} exists; pass --force to replace it"
    if len({Path(p).resolve() for p in outputs}) < len(outputs):
        return "the output files must differ"
    return None


def cmd_kb_import(args: argparse.Namespace) -> int:
    from shared.evaluation import import_csv

    refused = _refuse_overwrite([args.csv], [args.out], args.force)
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    try:
        count = import_csv(args.csv, args.out)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} entries to {args.out}", file=sys.stderr)
    return 0


def cmd_kb_split(args: argparse.Namespace) -> int:
    from shared.evaluation import split_csv

    refused = _refuse_overwrite([args.csv], [args.first, args.rest], args.force)
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    try:
        first, rest = split_csv(args.csv, args.per_label, args.first, args.rest, args.seed)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{first} rows -> {args.first}, {rest} rows -> {args.rest}", file=sys.stderr)
    return 0


def cmd_kb_tune(args: argparse.Namespace) -> int:
    from shared.knowledge import KnowledgeError, load_knowledge
    from shared.tuning import tune

    settings = Settings.from_env()
    try:
        knowledge = load_knowledge(args.yaml)
        path = tune(knowledge, settings.data_dir, epochs=args.epochs)
    except KnowledgeError as exc:
        _print_problems(exc.problems)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"tuned model saved to {path}; used for this knowledge from now on", file=sys.stderr)
    # Build the tuned index now: the bot's next start finds every cache warm.
    from shared.matching import Index, model_for

    spec = settings.model or knowledge.settings.matching.model
    index = Index(knowledge, model_for(spec, knowledge, settings.data_dir), settings.cache_dir)
    print(_describe_thresholds(index), file=sys.stderr)
    return 0


def cmd_kb_eval(args: argparse.Namespace) -> int:
    from shared.evaluation import evaluate, read_labelled_csv
    from shared.knowledge import KnowledgeError, load_knowledge
    from shared.matching import Index, model_for

    settings = Settings.from_env()
    try:
        knowledge = load_knowledge(args.yaml)
        rows = read_labelled_csv(args.csv)
    except KnowledgeError as exc:
        _print_problems(exc.problems)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    spec = args.model or settings.model or knowledge.settings.matching.model
    try:
        model = model_for(spec, knowledge, settings.data_dir)
    except (OSError, ValueError) as exc:  # e.g. a model name that is neither a folder nor
        print(f"error: cannot load the model '{spec}': {exc}", file=sys.stderr)  # on the hub
        return 2
    index = Index(knowledge, model, settings.cache_dir, adapt=not args.no_classifier)
    report = evaluate(index, knowledge, rows, misses=args.misses)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for key, value in report.items():
        if key != "misses":
            print(f"{key}: {value}")
    for miss in report.get("misses", []):
        got = ", ".join(f"{entry} ({score:.2f})" for entry, score in miss["got"])
        want = f"wanted {miss['want']}" if miss["want"] else "wanted no answer"
        print(f"miss ({miss['kind']}): {miss['text']!r}: {want}; ranked: {got}")
    return 0


# --- guard -------------------------------------------------------------------------------


def cmd_guard_scan(args: argparse.Namespace) -> int:
    from bots.guard_cli import scan_file

    return scan_file(args.file, sys.stdout)


# --- bench -------------------------------------------------------------------------------


def cmd_bench(args: argparse.Namespace) -> int:
    from shared.bench import run_bench

    settings = _settings(args)
    report = run_bench(settings, questions=args.questions, concurrency=args.concurrency)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


# --- run ---------------------------------------------------------------------------------


async def _run(settings: Settings, frontends: list[str]) -> int:
    from shared.pipeline import Pipeline

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    log.info("loading knowledge from %s and the model", settings.knowledge_path)
    pipeline = await Pipeline.start(settings)
    log.info(
        "ready: %d entries; front-ends: %s", len(pipeline.knowledge.entries), ", ".join(frontends)
    )
    try:
        tasks = []
        for name in frontends:
            if name == "console":
                from bots.console import serve
            elif name == "telegram":
                from bots.telegram_bot import serve
            else:
                from bots.discord_bot import serve
            tasks.append(
                asyncio.create_task(
                    serve(pipeline, stop) if name == "console" else serve(pipeline, settings, stop),
                    name=name,
                )
            )
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        if pending:
            await asyncio.wait(pending, timeout=10)
        for task in done:
            if task.exception() is not None:
                raise task.exception()
    finally:
        await pipeline.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from shared.knowledge import KnowledgeError
    from shared.logs import setup_logging

    settings = _settings(args)
    setup_logging(args.log_level, [settings.telegram_token or "", settings.discord_token or ""])
    if args.frontend:
        frontends = [args.frontend]
    else:
        frontends = [
            name
            for name, token in (
                ("telegram", settings.telegram_token),
                ("discord", settings.discord_token),
            )
            if token
        ]
        frontends = frontends or ["console"]
    for name in frontends:
        if name == "telegram" and not settings.telegram_token:
            print("error: set TELEGRAM_TOKEN to run the Telegram bot", file=sys.stderr)
            return 2
        if name == "discord" and not settings.discord_token:
            print("error: set DISCORD_TOKEN to run the Discord bot", file=sys.stderr)
            return 2
    try:
        return asyncio.run(_run(settings, frontends))
    except KnowledgeError as exc:
        _print_problems(exc.problems)
        return 2


# --- wiring --------------------------------------------------------------------------------


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (console without tokens)")
    run.add_argument("frontend", nargs="?", choices=["console", "telegram", "discord"])
    run.add_argument("--kb", help="knowledge file or folder (default: the shipped knowledge)")
    run.add_argument(
        "--log-level", type=log_level, default=os.environ.get("SUPPORTBOT_LOG_LEVEL", "INFO")
    )
    run.set_defaults(func=cmd_run)

    ask = sub.add_parser("ask", help="ask one question, print the reply")
    ask.add_argument("text")
    ask.add_argument("--json", action="store_true", help="print the outcome as JSON")
    ask.add_argument("--kb", help="knowledge file or folder")
    ask.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", help="check, import and evaluate knowledge").add_subparsers(
        dest="kb_command", required=True
    )
    check = kb.add_parser("check", help="validate knowledge YAML (FILE:LINE messages)")
    check.add_argument("path", nargs="?")
    check.add_argument("--no-model", action="store_true", help="skip the closeness warnings")
    check.add_argument("--conflict-threshold", type=float, default=0.93)
    check.set_defaults(func=cmd_kb_check)
    imp = kb.add_parser("import-csv", help="text,label CSV -> knowledge YAML")
    imp.add_argument("csv")
    imp.add_argument("--out", required=True)
    imp.add_argument("--force", action="store_true", help="replace --out if it exists")
    imp.set_defaults(func=cmd_kb_import)
    tune = kb.add_parser("tune", help="fine-tune the English encoder on this knowledge")
    tune.add_argument("yaml")
    tune.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="passes over the training pairs (default: 1 to 4, more for a smaller knowledge)",
    )
    tune.set_defaults(func=cmd_kb_tune)
    split = kb.add_parser("split", help="first N rows per label -> one CSV, the rest -> another")
    split.add_argument("csv")
    split.add_argument("--per-label", type=positive_int, required=True)
    split.add_argument("--first", required=True, help="CSV of the first N rows per label")
    split.add_argument("--rest", required=True, help="CSV of the other rows")
    split.add_argument(
        "--seed", type=int, default=None, help="shuffle the rows first (another pick, repeatable)"
    )
    split.add_argument("--force", action="store_true", help="replace the outputs if they exist")
    split.set_defaults(func=cmd_kb_split)
    ev = kb.add_parser("eval", help="measure matching on a text,label CSV")
    ev.add_argument("yaml")
    ev.add_argument("csv")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--model", help="override the model (default: the knowledge's)")
    ev.add_argument(
        "--misses",
        action="store_true",
        help="also list the questions matched to the wrong entry or answered out of scope",
    )
    ev.add_argument(
        "--no-classifier",
        action="store_true",
        help="rank by the nearest phrasing alone: no fitted classifier, the knowledge's "
        "thresholds uncalibrated (with --model minilm: the plain MiniLM nearest neighbour)",
    )
    ev.set_defaults(func=cmd_kb_eval)

    guard = sub.add_parser("guard", help="the secret guard").add_subparsers(
        dest="guard_command", required=True
    )
    scan = guard.add_parser("scan", help='scan JSON Lines of {"text": ...}')
    scan.add_argument("file")
    scan.add_argument("--jsonl", action="store_true", help="JSON Lines out (the default)")
    scan.set_defaults(func=cmd_guard_scan)

    from bots.desk_cli import add_arguments as add_desk_arguments

    add_desk_arguments(sub.add_parser("desk", help="the web desk: ticket pages and the queue"))

    bench = sub.add_parser("bench", help="measure latency, throughput, memory, start-up")
    bench.add_argument("--kb", help="knowledge file or folder")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--questions", type=positive_int, default=200)
    bench.add_argument("--concurrency", type=positive_int, default=32)
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "run":
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        from shared.logs import NOISY

        for name in NOISY:
            logging.getLogger(name).setLevel(logging.ERROR)
    from shared.knowledge import KnowledgeError

    try:
        return args.func(args)
    except KnowledgeError as exc:  # found past loading (a model that cannot be loaded)
        _print_problems(exc.problems)
        print("the knowledge cannot be used", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
