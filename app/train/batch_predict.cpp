#include "app/train/batch_predict.h"

#include "core/common/atomic_file.h"
#include "core/data/csv_reader.h"
#include "core/data/csv_writer.h"
#include "core/train/script_model.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

using namespace orrery;

namespace {

constexpr int kChunkRows = 10000;

int fail(const QString &message)
{
    std::fprintf(stderr, "orrery-cli predict: %s\n", qPrintable(message));
    return 2;
}

// Output column names from the signature: p_<class> per class, else prediction[_i].
QStringList outputNames(const QJsonObject &signature, int columns)
{
    const QJsonObject first = signature.value(QStringLiteral("outputs")).toArray().first().toObject();
    const QJsonArray classes = first.value(QStringLiteral("classes")).toArray();
    QStringList names;
    if (classes.size() == columns) {
        for (const QJsonValue &c : classes)
            names << QStringLiteral("p_") + c.toString();
        return names;
    }
    const QString base = first.value(QStringLiteral("name")).toString(QStringLiteral("prediction"));
    for (int i = 0; i < columns; ++i)
        names << (columns == 1 ? base : base + QLatin1Char('_') + QString::number(i));
    return names;
}

} // namespace

int runBatchPredict(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Score the rows of a CSV file with a TorchScript model."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("a TorchScript file (Orrery's export, or Python's with a signature)"));
    parser.addOptions({
        {QStringLiteral("input"), QStringLiteral("the rows to score (CSV with a header)"), QStringLiteral("X.csv")},
        {QStringLiteral("output"), QStringLiteral("where the predictions go (CSV)"), QStringLiteral("Y.csv")},
    });
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("Usage: orrery-cli predict MODEL.pt --input X.csv --output Y.csv\n\n%s", qPrintable(parser.helpText().section(QLatin1Char('\n'), 1)));
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || !parser.isSet(QStringLiteral("input")) || !parser.isSet(QStringLiteral("output")))
        return fail(QStringLiteral("give MODEL.pt --input X.csv --output Y.csv (orrery-cli predict --help)"));

    auto model = train::ScriptModel::load(positional.first());
    if (!model)
        return fail(model.status().message());
    data::CsvReader reader;
    if (const Status s = reader.open(parser.value(QStringLiteral("input"))); !s)
        return fail(s.message());

    common::AtomicFile out(parser.value(QStringLiteral("output")));
    if (const Status s = out.open(); !s)
        return fail(s.message());
    data::CsvWriter writer(&out);
    bool headerWritten = false;
    qint64 scored = 0;
    std::vector<std::vector<std::string>> chunk;
    const auto flush = [&]() -> Status {
        if (chunk.empty())
            return Status::ok();
        auto predicted = (*model)->predictTable(reader.columnNames(), chunk);
        if (!predicted)
            return predicted.status().withContext(QStringLiteral("rows %1–%2 of %3").arg(scored + 1).arg(scored + qint64(chunk.size())).arg(reader.name()));
        if (!headerWritten) {
            ORRERY_TRY(writer.writeRow(outputNames((*model)->signature(), predicted->columns)));
            headerWritten = true;
        }
        QStringList row;
        for (int r = 0; r < predicted->rows; ++r) {
            row.clear();
            for (int c = 0; c < predicted->columns; ++c)
                row << QString::number(predicted->values[size_t(r) * size_t(predicted->columns) + size_t(c)], 'g', 17);
            ORRERY_TRY(writer.writeRow(row));
        }
        scored += qint64(chunk.size());
        chunk.clear();
        return Status::ok();
    };
    while (reader.next()) {
        std::vector<std::string> row;
        row.reserve(reader.fields().size());
        for (std::string_view f : reader.fields())
            row.emplace_back(f);
        chunk.push_back(std::move(row));
        if (int(chunk.size()) == kChunkRows)
            if (const Status s = flush(); !s)
                return fail(s.message());
    }
    if (!reader.status())
        return fail(reader.status().message());
    if (const Status s = flush(); !s)
        return fail(s.message());
    if (!headerWritten)
        return fail(QStringLiteral("%1 has no rows to score").arg(reader.name()));
    if (const Status s = writer.finish(); !s)
        return fail(s.message());
    if (const Status s = out.commit(); !s)
        return fail(s.message());
    std::printf("predicted %lld rows into %s\n", static_cast<long long>(scored), qPrintable(parser.value(QStringLiteral("output"))));
    return 0;
}
