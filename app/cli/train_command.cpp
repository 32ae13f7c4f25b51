// orrery-cli train CONFIG.yaml [--nproc N | --rank R --world-size W --master HOST:PORT]
//
// orrery-cli does not link LibTorch (its static initialisers cost ~0.65 s per command): this
// command execs orrery-train, which lies next to orrery-cli, with the same arguments (and the
// --workspace taken out by main). exec keeps the process: signals, exit status and output are
// orrery-train's, as if orrery-cli had trained itself.

#include "app/cli/cli.h"

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
    const QString trainer = QCoreApplication::applicationDirPath() + QStringLiteral("/orrery-train");
    if (!QFileInfo(trainer).isExecutable())
        return fail(QStringLiteral("train: %1 is missing; orrery-cli trains through it (build the orrery-train target)").arg(trainer));
    QStringList args = context.args;
    if (!context.workspaceDir.isEmpty())
        args << QStringLiteral("--workspace") << context.workspaceDir;
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
    return fail(QStringLiteral("train: cannot run %1: %2").arg(trainer, QString::fromLocal8Bit(std::strerror(errno))));
}

} // namespace orrery::cli
