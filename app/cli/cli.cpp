#include "app/cli/cli.h"

#include "core/audit/audit_log.h"
#include "core/common/job.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace orrery::cli {
namespace {

std::atomic<int> g_interrupts{0};

void onInterrupt(int)
{
    if (g_interrupts.fetch_add(1) >= 1)
        _exit(130);
}

void drawBar(qint64 done, qint64 total, const QString &text)
{
    constexpr int kWidth = 30;
    QByteArray line = "\r";
    if (total > 0) {
        const double fraction = qBound(0.0, double(done) / double(total), 1.0);
        const int filled = int(fraction * kWidth);
        line += '[' + QByteArray(filled, '#') + QByteArray(kWidth - filled, ' ') + "] "
            + QByteArray::number(int(fraction * 100)).rightJustified(3, ' ') + "% ";
    } else {
        line += "[working] ";
    }
    line += text.left(60).toUtf8();
    line += "\x1b[K";
    std::fputs(line.constData(), stderr);
    std::fflush(stderr);
}

} // namespace

CommandParser::CommandParser(const Context &context, const QString &command, const QString &description)
    : m_context(context), m_command(command)
{
    m_parser.setApplicationDescription(description);
    m_parser.addHelpOption();
    m_parser.addOption({QStringLiteral("workspace"), QStringLiteral("The workspace folder (default: the current folder)."),
                        QStringLiteral("DIR")});
}

void CommandParser::addJsonOption()
{
    m_json = true;
    m_parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document on stdout.")});
}

bool CommandParser::parse(int *exitCode)
{
    QStringList argv = {m_context.program + QLatin1Char(' ') + m_command};
    argv += m_context.args;
    if (!m_parser.parse(argv)) {
        *exitCode = usageError(m_parser.errorText());
        return false;
    }
    if (m_parser.isSet(QStringLiteral("help"))) {
        // helpText() names the executable from QCoreApplication; show the command too.
        QString help = m_parser.helpText();
        const int usage = help.indexOf(QStringLiteral("Usage: "));
        const int options = help.indexOf(QStringLiteral(" [options]"), usage);
        if (usage >= 0 && options > usage)
            help.replace(usage + 7, options - usage - 7, m_context.program + QLatin1Char(' ') + m_command);
        std::fputs(help.toUtf8().constData(), stdout);
        *exitCode = ExitOk;
        return false;
    }
    return true;
}

int CommandParser::usageError(const QString &message) const
{
    std::fprintf(stderr, "%s %s: %s\nRun '%s %s --help' for usage.\n", qPrintable(m_context.program), qPrintable(m_command),
                 qPrintable(message), qPrintable(m_context.program), qPrintable(m_command));
    return ExitError;
}

int fail(const Status &status)
{
    return fail(status.message());
}

int fail(const QString &message)
{
    std::fprintf(stderr, "orrery-cli: %s\n", message.toUtf8().constData());
    return ExitError;
}

void out(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
}

void printJson(const QJsonValue &value)
{
    QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    std::fputs(doc.toJson(QJsonDocument::Indented).constData(), stdout);
}

QString workspaceRootFor(const Context &context)
{
    return QDir::cleanPath(QDir::current().absoluteFilePath(context.workspaceDir.isEmpty() ? QStringLiteral(".") : context.workspaceDir));
}

Result<std::unique_ptr<workspace::Workspace>> openWorkspace(const Context &context)
{
    const QString start = workspaceRootFor(context);
    ORRERY_ASSIGN_OR_RETURN(auto root, context.workspaceDir.isEmpty() ? workspace::Workspace::findRoot(start) : Result<QString>(start));
    return workspace::Workspace::open(root);
}

void recordAudit(workspace::Workspace &ws, const QString &action, const QString &target, const QJsonObject &details)
{
    auto entry = ws.audit().append({action, target, QString(), QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))});
    if (!entry)
        std::fprintf(stderr, "orrery-cli: warning: the audit log could not record %s: %s\n", qPrintable(action),
                     qPrintable(entry.status().message()));
}

Status runWithProgress(const QString &title, const std::function<Status(common::JobContext &)> &work)
{
    common::Job job(title, work);
    g_interrupts.store(0);
    struct sigaction action = {};
    struct sigaction previous = {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);

    const bool terminal = ::isatty(STDERR_FILENO);
    QElapsedTimer elapsed;
    elapsed.start();
    bool drawn = false;
    job.start();
    while (!job.wait(100)) {
        if (g_interrupts.load() > 0 && !job.isCancelRequested()) {
            job.cancel();
            std::fputs("\ncancelling… (Ctrl-C again to quit at once)\n", stderr);
        }
        if (terminal && elapsed.elapsed() > 1000) {
            drawBar(job.progressDone(), job.progressTotal(), job.progressText());
            drawn = true;
        }
    }
    if (drawn) {
        drawBar(job.progressDone(), job.progressTotal(), job.progressText());
        std::fputc('\n', stderr);
    }
    sigaction(SIGINT, &previous, nullptr);
    return job.result();
}

Status runStoppable(const QString &title, const std::function<Status(common::JobContext &)> &work,
                    const std::function<void(const QString &)> &log, const QString &atOnce)
{
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &stopSignals, &previous);
    common::Job job(title, work);
    job.start();
    bool stopping = false;
    while (!job.wait(0)) {
        const timespec tick{0, 100'000'000};
        const int signal = sigtimedwait(&stopSignals, nullptr, &tick);
        if (signal != SIGINT && signal != SIGTERM)
            continue;
        if (stopping) {
            log(atOnce);
            std::_Exit(ExitProblem);
        }
        stopping = true;
        log(QStringLiteral("%1: stopping cleanly (again to end at once)").arg(QLatin1String(signal == SIGTERM ? "SIGTERM" : "SIGINT")));
        job.cancel();
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return job.result();
}

} // namespace orrery::cli
