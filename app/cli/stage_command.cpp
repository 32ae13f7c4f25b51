// orrery-cli stage TYPE [ARGS…]: one built-in stage, as dvc.yaml's cmd calls it (and as `dvc repro`
// runs it). `orrery run` runs the same implementations in-process. Exit status 1 when the stage's
// check fails (a data test, a gate), 2 on errors.
#include "app/cli/cli.h"

#include "core/pipeline/stage_type.h"
#include "core/stages/builtin_stages.h"

#include <QDir>

#include <cstdio>

namespace orrery::cli {

int runStage(const Context &context)
{
    pipeline::StageRegistry registry;
    stages::registerBuiltinStages(registry);
    const QStringList args = context.args;
    auto list = [&] {
        QString t = QStringLiteral("Usage: orrery-cli stage TYPE [options]\n\nBuilt-in pipeline stages (TYPE --help for each):\n");
        for (const QString &name : registry.names())
            t += QStringLiteral("  %1 %2\n").arg(name, -10).arg(registry.type(name)->summary);
        return t;
    };
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        std::fputs(list().toUtf8().constData(), args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? ExitError : ExitOk;
    }
    const QString typeName = args.first();
    const pipeline::StageType *type = registry.type(typeName);
    if (!type)
        return fail(QStringLiteral("unknown stage type '%1' (known: %2)").arg(typeName, registry.names().join(QStringLiteral(", "))));
    const QStringList rest = args.mid(1);
    if (rest.contains(QStringLiteral("--help")) || rest.contains(QStringLiteral("-h"))) {
        std::fputs(type->helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    auto parsed = pipeline::parseStageArgs(*type, rest);
    if (!parsed) {
        std::fprintf(stderr, "orrery-cli stage: %s\nRun 'orrery-cli stage %s --help' for usage.\n", parsed.status().message().toUtf8().constData(), qPrintable(typeName));
        return ExitError;
    }
    pipeline::StageContext ctx;
    ctx.workDir = context.workspaceDir.isEmpty() ? QDir::currentPath() : QDir(context.workspaceDir).absolutePath();
    ctx.args = *parsed;
    ctx.log = [](const QString &line) {
        std::fputs(line.toUtf8().constData(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    };
    const Status s = registry.impl(typeName)(ctx);
    if (!s.isOk())
        return fail(s);
    if (!ctx.findings.isEmpty()) {
        std::fprintf(stderr, "orrery-cli: stage %s: %d check(s) failed:\n", qPrintable(typeName), int(ctx.findings.size()));
        for (const auto &f : ctx.findings)
            std::fprintf(stderr, "  - %s\n", f.toUtf8().constData());
        return ExitProblem;
    }
    return ExitOk;
}

} // namespace orrery::cli
