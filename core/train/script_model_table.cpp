// ScriptModel::predictTable: table rows → the signature's inputs. Torch-free (built on predict()).

#include "core/train/script_model.h"

#include "core/data/csv_value.h"
#include "core/data/null_values.h"

#include <QJsonArray>

#include <cmath>

namespace orrery::train {

Result<ModelOutput> ScriptModel::predictTable(const QStringList &columns, const std::vector<std::vector<std::string>> &rows) const
{
    static const data::NullValues nulls;
    const QJsonArray spec = m_signature.value(QStringLiteral("inputs")).toArray();
    std::vector<ModelInput> inputs(size_t(spec.size()));
    for (int i = 0; i < spec.size(); ++i) {
        const QJsonObject o = spec[i].toObject();
        const QString name = o.value(QStringLiteral("name")).toString();
        std::vector<int> index;
        if (o.contains(QStringLiteral("columns"))) {
            for (const auto &c : o.value(QStringLiteral("columns")).toArray()) {
                const int at = int(columns.indexOf(c.toString()));
                if (at < 0)
                    return invalidArgument(QStringLiteral("the model's input '%1' needs the column '%2', which the data lacks").arg(name, c.toString()));
                index.push_back(at);
            }
        } else {
            for (int c = 0; c < columns.size(); ++c)
                index.push_back(c);
        }
        const bool text = o.value(QStringLiteral("dtype")).toString() == QLatin1String("BYTES");
        ModelInput &in = inputs[size_t(i)];
        for (size_t r = 0; r < rows.size(); ++r) {
            QStringList texts;
            for (int c : index) {
                if (size_t(c) >= rows[r].size())
                    return invalidArgument(QStringLiteral("row %1 has %2 fields; the model needs column %3").arg(r + 1).arg(rows[r].size()).arg(c + 1));
                const std::string_view cell = data::trimmedView(rows[r][size_t(c)]);
                if (text) {
                    texts << QString::fromUtf8(cell.data(), qsizetype(cell.size()));
                    continue;
                }
                double v = std::nan("");
                if (!nulls.contains(cell) && !data::parseFiniteDouble(cell, &v))
                    return invalidArgument(QStringLiteral("row %1, column '%2': '%3' is not a number")
                                               .arg(r + 1).arg(columns[c], QString::fromUtf8(cell.data(), qsizetype(cell.size()))));
                in.values.push_back(float(v));
            }
            if (text)
                in.texts.push_back(texts);
        }
    }
    return predict(inputs, int(rows.size()));
}

} // namespace orrery::train
