#pragma once
// ReplayRequest: the Open Inference Protocol v2 request `demo replay` sends for some of the
// generator's transactions, shaped by the served version's signature (core/train/script_model.h:
// each input's "columns" name the dataset's columns; FP32 inputs get the numbers, an empty cell
// as null — a missing value —, BYTES inputs the cells as text), and the true labels it sends
// later for them (core/monitor/feedback_store.h's batch form, one entry per row).
//
// The request carries its id twice: as the body's "id" (echoed in the answer) and as the
// X-Request-Id header, which is what the server records as the prediction's request id
// (core/serve/inference_service.h) and so what the labels name.

#include "core/common/status.h"
#include "core/data/fraud_generator.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <vector>

namespace orrery::demo {

class ReplayRequest {
public:
    // Checks that every input of `signature` has "columns" the generator makes, as many as its
    // width, numeric ones for FP32. InvalidArgument names the input and the column.
    static Result<ReplayRequest> fromSignature(const QJsonObject &signature);

    // The body of POST /v2/models/E/infer for `rows`.
    QByteArray body(const QString &id, const std::vector<data::FraudTransaction> &rows) const;
    // Feedback entries {"request_id", "label", "row"}: one per row whose label is 0 or 1 (a row
    // marked -1 is left unlabelled).
    static void appendLabels(QJsonArray &labels, const QString &requestId, const std::vector<qint8> &rowLabels);
    // The rows' true labels (is_fraud), each kept with probability `share` by `draw` (uniform in
    // [0, 1), one call per row) and -1 otherwise.
    template <typename Draw>
    static std::vector<qint8> rowLabels(const std::vector<data::FraudTransaction> &rows, double share, Draw &&draw)
    {
        std::vector<qint8> out;
        out.reserve(rows.size());
        for (const auto &t : rows)
            out.push_back(draw() < share ? qint8(t.isFraud ? 1 : 0) : qint8(-1));
        return out;
    }

private:
    struct Input {
        QString name;
        bool text = false;
        QVector<int> columns; // indexes into data::FraudGenerator::columnNames()
    };
    QVector<Input> m_inputs;
};

} // namespace orrery::demo
