#pragma once
// An Open Inference Protocol request for CSV rows, built from a registered model's signature
// (its inputs and their columns), as a client of the demo's endpoint would send it. An empty
// numeric cell is sent as null (a missing value).
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace orrery::testing {

inline QByteArray oipRequest(const QJsonObject &signature, const QStringList &header, const QList<QStringList> &rows, const QString &id = QString())
{
    QJsonArray inputs;
    for (const auto &spec : signature.value(QStringLiteral("inputs")).toArray()) {
        const QJsonObject o = spec.toObject();
        const bool text = o.value(QStringLiteral("dtype")).toString() == QLatin1String("BYTES");
        const QJsonArray columns = o.value(QStringLiteral("columns")).toArray();
        QJsonArray data;
        for (const QStringList &row : rows)
            for (const auto &c : columns) {
                const QString cell = row.value(int(header.indexOf(c.toString())));
                if (text)
                    data.append(cell);
                else if (cell.isEmpty())
                    data.append(QJsonValue::Null);
                else
                    data.append(cell.toDouble());
            }
        inputs.append(QJsonObject{{QStringLiteral("name"), o.value(QStringLiteral("name"))},
                                  {QStringLiteral("datatype"), text ? QStringLiteral("BYTES") : QStringLiteral("FP32")},
                                  {QStringLiteral("shape"), QJsonArray{rows.size(), columns.size()}},
                                  {QStringLiteral("data"), data}});
    }
    QJsonObject request{{QStringLiteral("inputs"), inputs}};
    if (!id.isEmpty())
        request.insert(QStringLiteral("id"), id);
    return QJsonDocument(request).toJson(QJsonDocument::Compact);
}

} // namespace orrery::testing
