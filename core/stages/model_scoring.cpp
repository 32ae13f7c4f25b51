#include "core/stages/model_scoring.h"

#include "core/exec/command_runner.h"
#include "core/stages/csv_table.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace orrery::stages {

Result<std::vector<double>> readScores(const QString &path, const QString &shown, const QString &column, size_t rows, const QString &what,
                                       const std::function<bool()> &cancelled)
{
    ORRERY_ASSIGN_OR_RETURN(auto table, CsvTable::read(path, cancelled));
    ORRERY_ASSIGN_OR_RETURN(auto col, table.requireColumn(column, QStringLiteral("%1's score column").arg(what)));
    if (table.rows.size() != rows)
        return invalidArgument(QStringLiteral("%1: %2 has %3 scores but there are %4 rows").arg(what, shown).arg(table.rows.size()).arg(rows));
    std::vector<double> scores(rows);
    for (size_t i = 0; i < rows; ++i) {
        bool ok = false;
        scores[i] = QString::fromStdString(table.rows[i][size_t(col)]).toDouble(&ok);
        if (!ok)
            return invalidArgument(QStringLiteral("%1: %2:%3: '%4' is not a number").arg(what, shown).arg(table.lines[i]).arg(QString::fromStdString(table.rows[i][size_t(col)])));
    }
    return scores;
}

Result<std::vector<double>> scoreRows(const ScoringRequest &request, size_t rows)
{
    if (!QDir().mkpath(request.workDir))
        return ioError(QStringLiteral("%1: cannot make the folder %2").arg(request.what, request.workDir));
    const QString cliDir = request.cliDir.isEmpty() ? QCoreApplication::applicationDirPath() : request.cliDir;
    const QString out = request.workDir + QStringLiteral("/scores.csv");
    QFile::remove(out);
    auto quote = [](const QString &s) { return QLatin1Char('\'') + QString(s).replace(QLatin1Char('\''), QStringLiteral("'\\''")) + QLatin1Char('\''); };
    const QString command = QStringLiteral("%1 predict %2 --input %3 --output %4")
                                .arg(quote(cliDir + QStringLiteral("/orrery-cli")), quote(request.model), quote(request.input), quote(out));
    exec::CommandOptions options;
    options.workDir = request.runDir.isEmpty() ? request.workDir : request.runDir;
    options.logPath = request.workDir + QStringLiteral("/predict.log");
    QFile::remove(options.logPath);
    std::atomic<bool> never{false};
    options.cancel = request.cancel ? request.cancel : &never;
    ORRERY_ASSIGN_OR_RETURN(auto ran, exec::runCommand(command, options));
    if (ran.cancelled)
        return Status(ErrorCode::Cancelled, QStringLiteral("%1: scoring %2 was cancelled").arg(request.what, request.shown));
    if (ran.exitCode != 0 || ran.crashed || ran.timedOut) {
        QFile log(options.logPath);
        log.open(QIODevice::ReadOnly);
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1: scoring %2 failed (exit %3): %4")
                                                         .arg(request.what, request.shown)
                                                         .arg(ran.exitCode)
                                                         .arg(QString::fromUtf8(log.readAll()).trimmed().right(800)));
    }
    return readScores(out, request.shown, QStringLiteral("p_1"), rows, request.what);
}

} // namespace orrery::stages
