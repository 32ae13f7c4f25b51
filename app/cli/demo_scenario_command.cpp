// orrery-cli demo DIR --scenario drift|bad-challenger [--clock-scale S] [--rows N] [--seed N] [--json]:
// the continuous-training loop's story end to end on a compressed clock (core/demo/scenario.h):
// a demo workspace whose champion serves replayed traffic, a shift at a known time, drift alerts,
// retraining, the loop's gate, the canary, and promotion (drift) or rollback (bad-challenger) —
// each step printed as it lands. Exit 0 when it ended as designed, 1 when it ended otherwise (the
// output says how), 2 on an error (the set-up failed, a process died, it did not end in time).
// Ctrl-C or SIGTERM stops it and its processes; the workspace stays.
#include "app/cli/cli.h"

#include "core/common/job.h"
#include "core/demo/scenario.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <pthread.h>

namespace orrery::cli {

int runDemoScenario(const Context &context)
{
    CommandParser p(context, QStringLiteral("demo"),
                    QStringLiteral("Run a continuous-training scenario in a new demo workspace, on a compressed clock:\n"
                                   "  drift           the champion serves replayed traffic; a shift of amounts and channels starts 2m in;\n"
                                   "                  drift alerts fire; the loop retrains on the labelled rows, its gate finds the\n"
                                   "                  challenger better on the newest rows, the canary passes: promoted.\n"
                                   "  bad-challenger  the same, after a commit that makes the model refuse categories it never saw;\n"
                                   "                  the shift brings a new merchant category; the challenger passes every offline\n"
                                   "                  check, fails live on those rows, the canary's analysis aborts it: rolled back.\n"
                                   "Each step is printed as it happens; the processes' logs stay in DIR/.orrery/tmp/scenario/.\n"
                                   "Open DIR in the workbench afterwards: the Automation, Monitoring, Registry and Deployments areas\n"
                                   "show the whole story."));
    p.parser().addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("A new or empty folder."));
    p.parser().addOption({QStringLiteral("scenario"), QStringLiteral("drift or bad-challenger."), QStringLiteral("NAME")});
    p.parser().addOption({QStringLiteral("clock-scale"), QStringLiteral("Clock seconds per real second (default 20)."), QStringLiteral("S"), QStringLiteral("20")});
    p.parser().addOption({QStringLiteral("rows"), QStringLiteral("The demo dataset's transactions (default 10000)."), QStringLiteral("N"), QStringLiteral("10000")});
    p.parser().addOption({QStringLiteral("seed"), QStringLiteral("Seed of the generator (default 42)."), QStringLiteral("SEED"), QStringLiteral("42")});
    p.parser().addOption({QStringLiteral("timeout"), QStringLiteral("Real seconds the traffic may run before the scenario gives up (default 480)."),
                          QStringLiteral("SECONDS"), QStringLiteral("480")});
    p.addJsonOption();
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() != 1)
        return p.usageError(QStringLiteral("demo --scenario needs exactly one folder"));
    auto kind = demo::parseScenarioKind(p.value(QStringLiteral("scenario")));
    if (!kind)
        return p.usageError(kind.status().message());
    demo::ScenarioOptions options;
    options.kind = *kind;
    options.dir = p.positional().first();
    options.cliDir = QCoreApplication::applicationDirPath();
    bool ok = false;
    options.clockScale = p.value(QStringLiteral("clock-scale")).toDouble(&ok);
    if (!ok || options.clockScale < 1 || options.clockScale > 600)
        return p.usageError(QStringLiteral("--clock-scale must be a number from 1 to 600, got '%1'").arg(p.value(QStringLiteral("clock-scale"))));
    options.rows = p.value(QStringLiteral("rows")).toLongLong(&ok);
    if (!ok || options.rows < 2000 || options.rows > 10'000'000)
        return p.usageError(QStringLiteral("--rows must be a whole number from 2000 to 10000000, got '%1'").arg(p.value(QStringLiteral("rows"))));
    options.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return p.usageError(QStringLiteral("--seed must be a non-negative whole number, got '%1'").arg(p.value(QStringLiteral("seed"))));
    const qint64 timeout = p.value(QStringLiteral("timeout")).toLongLong(&ok);
    if (!ok || timeout < 10)
        return p.usageError(QStringLiteral("--timeout must be a whole number of seconds, at least 10, got '%1'").arg(p.value(QStringLiteral("timeout"))));
    options.timeoutMs = timeout * 1000;
    const bool json = p.json();
    options.print = [json](const QString &line) {
        std::fprintf(json ? stderr : stdout, "%s\n", qPrintable(line));
        std::fflush(json ? stderr : stdout);
    };

    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    Result<demo::ScenarioResult> result = internalError(QStringLiteral("the scenario did not run"));
    common::Job job(QStringLiteral("scenario"), [&](common::JobContext &ctx) -> Status {
        result = demo::runScenario(options, &ctx);
        return result.status();
    });
    job.start();
    while (!job.wait(0)) {
        const timespec tick{0, 100'000'000};
        const int signal = sigtimedwait(&stopSignals, nullptr, &tick);
        if (signal == SIGINT || signal == SIGTERM) {
            options.print(QStringLiteral("stopping the scenario and its processes"));
            job.cancel();
        }
    }
    if (!result)
        return fail(result.status());
    if (json) {
        printJson(result->toJson());
    } else {
        out(result->asDesigned ? QStringLiteral("The scenario ended as designed: ct iteration %1 %2.").arg(result->iteration).arg(result->outcome)
                               : QStringLiteral("The scenario did NOT end as designed: ct iteration %1 ended %2 (expected %3): %4")
                                     .arg(result->iteration).arg(result->outcome, result->expected, result->reason));
        if (result->windowsToAlert >= 0)
            out(QStringLiteral("From the shift: the first drift alert after %1 window(s), the iteration's end after %2 window(s) of %3.")
                    .arg(result->windowsToAlert).arg(result->windowsToEnd).arg(QStringLiteral("1m")));
        out(QStringLiteral("Open it with: orrery %1").arg(result->root));
    }
    return result->asDesigned ? ExitOk : ExitProblem;
}

} // namespace orrery::cli
