// orrery-cli train CONFIG.yaml [--nproc N | --rank R --world-size W --master HOST:PORT]
// orrery-cli train CONFIG.yaml --slurm [--nodes N --ntasks-per-node K …]   (train_slurm_command.cpp)
//
// orrery-cli does not link LibTorch (its static initialisers cost ~0.65 s per command): this
// command execs orrery-train, which lies next to orrery-cli, with the same arguments (and the
// --workspace taken out by main). exec keeps the process: signals, exit status and output are
// orrery-train's, as if orrery-cli had trained itself.

#include "app/cli/cli.h"
#include "app/cli/train_slurm_command.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace orrery::cli {

int runTrain(const Context &context)
{
    // On Slurm this process submits and follows the job; the ranks run orrery-train there.
    if (context.args.contains(QStringLiteral("--slurm")))
        return runTrainOnSlurm(context);
    QStringList args = context.args;
    if (!context.workspaceDir.isEmpty())
        args << QStringLiteral("--workspace") << context.workspaceDir;
    return execTrainer(QStringLiteral("train"), args);
}

int execTrainer(const QString &command, const QStringList &args)
{
    return execSibling(command, QStringLiteral("orrery-train"), args);
}

int execSibling(const QString &command, const QString &executable, const QStringList &args)
{
    const QString trainer = QCoreApplication::applicationDirPath() + QLatin1Char('/') + executable;
    if (!QFileInfo(trainer).isExecutable())
        return fail(QStringLiteral("%1: %2 is missing; orrery-cli runs LibTorch through it (build the %3 target)").arg(command, trainer, executable));
    std::vector<QByteArray> storage;
    storage.push_back(QFile::encodeName(trainer));
    for (const QString &a : args)
        storage.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (auto &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    ::execv(argv[0], argv.data());
    return fail(QStringLiteral("%1: cannot run %2: %3").arg(command, trainer, QString::fromLocal8Bit(std::strerror(errno))));
}

} // namespace orrery::cli
