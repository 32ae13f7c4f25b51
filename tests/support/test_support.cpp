#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

namespace orrery::testing {
namespace {

QString commandLine(const QString &program, const QStringList &args)
{
    QStringList parts{program};
    for (const QString &a : args)
        parts << (a.isEmpty() || a.contains(QLatin1Char(' ')) ? QLatin1Char('\'') + a + QLatin1Char('\'') : a);
    return parts.join(QLatin1Char(' '));
}

// Long outputs are cut in messages: the start says what ran, the end why it failed.
QString excerpt(const QString &text)
{
    constexpr int kMax = 4000;
    return text.size() <= kMax ? text : text.left(kMax / 4) + QStringLiteral("\n[…]\n") + text.right(kMax * 3 / 4);
}

} // namespace

QString ProcessResult::status() const
{
    return crashed ? QStringLiteral("crashed (killed by a signal)") : QStringLiteral("exit %1").arg(code);
}

QString ProcessResult::describe() const
{
    return QStringLiteral("%1: %2\n--- stdout ---\n%3\n--- stderr ---\n%4").arg(command, status(), excerpt(out), excerpt(err));
}

ProcessResult run(const QString &program, const QStringList &args, const ProcessOptions &options)
{
    ProcessResult result;
    result.command = commandLine(program, args);
    QProcess p;
    if (!options.workingDirectory.isEmpty())
        p.setWorkingDirectory(options.workingDirectory);
    if (options.environment)
        p.setProcessEnvironment(*options.environment);
    p.start(program, args);
    if (!p.waitForStarted(30000))
        qFatal("cannot start %s%s: %s", qPrintable(result.command),
               options.workingDirectory.isEmpty() ? "" : qPrintable(QStringLiteral(" in ") + options.workingDirectory),
               qPrintable(p.errorString()));
    if (!options.input.isEmpty())
        p.write(options.input);
    p.closeWriteChannel();
    if (!p.waitForFinished(options.timeoutMs)) {
        p.kill();
        p.waitForFinished(10000);
        qFatal("%s did not finish within %d ms (killed)\n--- stdout so far ---\n%s\n--- stderr so far ---\n%s",
               qPrintable(result.command), options.timeoutMs, qPrintable(excerpt(QString::fromUtf8(p.readAllStandardOutput()))),
               qPrintable(excerpt(QString::fromUtf8(p.readAllStandardError()))));
    }
    result.crashed = p.exitStatus() == QProcess::CrashExit;
    result.code = result.crashed ? ProcessResult::kCrashed : p.exitCode();
    result.out = QString::fromUtf8(p.readAllStandardOutput());
    result.err = QString::fromUtf8(p.readAllStandardError());
    return result;
}

QString cliPath()
{
    return QStringLiteral(ORRERY_CLI_PATH);
}

ProcessResult runCli(const QStringList &args, const QString &workingDirectory)
{
    ProcessOptions options;
    options.workingDirectory = workingDirectory;
    return run(cliPath(), args, options);
}

ProcessResult runCli(const QStringList &args, const ProcessOptions &options)
{
    return run(cliPath(), args, options);
}

ProcessResult gitResult(const QString &workingDirectory, const QStringList &args)
{
    // The machine's own git configuration stays out: no identity, signing, hooks path or default
    // branch of the person running the tests.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    env.insert(QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0"));
    ProcessOptions options;
    options.workingDirectory = workingDirectory;
    options.environment = env;
    const QStringList fixed = {QStringLiteral("-c"), QStringLiteral("user.name=Orrery Test"),
                               QStringLiteral("-c"), QStringLiteral("user.email=test@orrery.invalid"),
                               QStringLiteral("-c"), QStringLiteral("init.defaultBranch=main"),
                               QStringLiteral("-c"), QStringLiteral("commit.gpgsign=false"),
                               QStringLiteral("-c"), QStringLiteral("tag.gpgsign=false")};
    return run(QStringLiteral("git"), fixed + args, options);
}

QString git(const QString &workingDirectory, const QStringList &args)
{
    const ProcessResult r = gitResult(workingDirectory, args);
    if (!r.ok())
        qFatal("git failed in %s\n%s", qPrintable(workingDirectory), qPrintable(r.describe()));
    return r.out;
}

QString writeFile(const QString &path, const QByteArray &content)
{
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        qFatal("cannot create the folder %s (for %s)", qPrintable(folder), qPrintable(path));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot open %s for writing: %s", qPrintable(path), qPrintable(f.errorString()));
    if (f.write(content) != content.size() || !f.flush())
        qFatal("cannot write %lld bytes to %s: %s", static_cast<long long>(content.size()), qPrintable(path), qPrintable(f.errorString()));
    f.close();
    return path;
}

QString writeFile(const QTemporaryDir &dir, const QString &relativePath, const QByteArray &content)
{
    if (!dir.isValid())
        qFatal("the temporary folder for %s could not be made: %s", qPrintable(relativePath), qPrintable(dir.errorString()));
    return writeFile(dir.filePath(relativePath), content);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s: %s", qPrintable(path), qPrintable(f.errorString()));
    return f.readAll();
}

} // namespace orrery::testing
