// The Open Inference Protocol v2's JSON: see oip_codec.h for the checks and the NaN policy.

#include "core/serve/oip_codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <cfloat>
#include <cmath>
#include <cstdio>

namespace orrery::serve {

namespace {

QString shapeText(const QJsonArray &shape)
{
    QStringList dims;
    for (const auto &d : shape)
        dims << (d.isDouble() ? QString::number(d.toDouble(), 'g', 20) : QString::fromUtf8(QJsonDocument(QJsonArray{d}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
    return QLatin1Char('[') + dims.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// Appends the leaves of `v` (nested arrays flattened) to `out`, at most `limit` of them; false
// when there are more.
bool flatten(const QJsonValue &v, std::vector<QJsonValue> &out, size_t limit, int depth)
{
    if (!v.isArray()) {
        if (out.size() >= limit)
            return false;
        out.push_back(v);
        return true;
    }
    if (depth > 8)
        return false;
    for (const auto &e : v.toArray())
        if (!flatten(e, out, limit, depth + 1))
            return false;
    return true;
}

} // namespace

Result<ModelMetadata> metadataFromSignature(const QJsonObject &signature)
{
    ModelMetadata m;
    for (const char *side : {"inputs", "outputs"}) {
        for (const auto &v : signature.value(QLatin1String(side)).toArray()) {
            const QJsonObject o = v.toObject();
            TensorSpec t;
            t.name = o.value(QStringLiteral("name")).toString();
            t.datatype = o.value(QStringLiteral("dtype")).toString(o.value(QStringLiteral("datatype")).toString(QStringLiteral("FP32")));
            const QJsonArray shape = o.value(QStringLiteral("shape")).toArray();
            t.width = shape.size() > 1 ? shape[1].toInteger(1) : 1;
            for (const auto &value : o.value(QStringLiteral("sample")).toArray())
                t.sample << value.toString();
            if (t.name.isEmpty() || t.width < 1 || (t.datatype != QLatin1String("FP32") && t.datatype != QLatin1String("BYTES")))
                return invalidArgument(QStringLiteral("the model's signature has an %1 entry Orrery cannot serve (a name, dtype FP32 or BYTES and shape [-1, width] are needed): %2")
                                           .arg(QLatin1String(side), QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact))));
            (qstrcmp(side, "inputs") == 0 ? m.inputs : m.outputs).append(t);
        }
    }
    if (m.inputs.isEmpty())
        return invalidArgument(QStringLiteral("the model's signature names no inputs"));
    return m;
}

Result<InferRequest> parseInferRequest(const QByteArray &body, const ModelMetadata &metadata, int maxBatch)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return invalidArgument(QStringLiteral("the body is not valid JSON: %1 at offset %2 (NaN and Infinity are not JSON; send null for a missing value)")
                                   .arg(error.errorString()).arg(error.offset));
    if (!doc.isObject())
        return invalidArgument(QStringLiteral("the body must be a JSON object with \"inputs\""));
    const QJsonObject root = doc.object();
    InferRequest request;
    const QJsonValue id = root.value(QStringLiteral("id"));
    if (id.isString())
        request.id = id.toString();
    else if (!id.isUndefined() && !id.isNull())
        return invalidArgument(QStringLiteral("\"id\" must be a string"));
    const QJsonValue inputsValue = root.value(QStringLiteral("inputs"));
    if (!inputsValue.isArray() || inputsValue.toArray().isEmpty())
        return invalidArgument(QStringLiteral("\"inputs\" must be a non-empty array of tensors ({\"name\", \"shape\", \"datatype\", \"data\"})"));
    const QJsonArray inputs = inputsValue.toArray();

    QStringList names;
    for (const auto &t : metadata.inputs)
        names << t.name;
    request.inputs.resize(size_t(metadata.inputs.size()));
    QSet<QString> seen;
    for (const auto &value : inputs) {
        if (!value.isObject())
            return invalidArgument(QStringLiteral("each entry of \"inputs\" must be an object ({\"name\", \"shape\", \"datatype\", \"data\"})"));
        const QJsonObject o = value.toObject();
        const QString name = o.value(QStringLiteral("name")).toString();
        const int at = int(names.indexOf(name));
        if (at < 0)
            return invalidArgument(QStringLiteral("the model has no input '%1'; it takes %2").arg(name, names.join(QStringLiteral(", "))));
        if (seen.contains(name))
            return invalidArgument(QStringLiteral("input '%1' is given twice").arg(name));
        seen.insert(name);
        const TensorSpec &spec = metadata.inputs[at];
        const QString datatype = o.value(QStringLiteral("datatype")).toString();
        if (datatype != spec.datatype)
            return invalidArgument(QStringLiteral("input '%1': expected datatype %2, got %3")
                                       .arg(name, spec.datatype, datatype.isEmpty() ? QStringLiteral("none") : datatype));
        const QJsonValue shapeValue = o.value(QStringLiteral("shape"));
        if (!shapeValue.isArray())
            return invalidArgument(QStringLiteral("input '%1' has no \"shape\" array").arg(name));
        const QJsonArray shape = shapeValue.toArray();
        // Whole, non-negative dims; their product computed without overflow.
        quint64 product = 1;
        std::vector<qint64> dims;
        for (const auto &d : shape) {
            const double x = d.toDouble(-1);
            if (!d.isDouble() || x < 0 || x != std::floor(x) || x > 9007199254740992.0)
                return invalidArgument(QStringLiteral("input '%1': shape %2 has a dimension that is no whole number >= 0").arg(name, shapeText(shape)));
            const quint64 dim = quint64(x);
            if (dim != 0 && product > quint64(INT32_MAX) / dim)
                return invalidArgument(QStringLiteral("input '%1': shape %2 has too many elements (at most %3)").arg(name, shapeText(shape)).arg(INT32_MAX));
            product *= dim;
            dims.push_back(qint64(dim));
        }
        const bool ok = (dims.size() == 2 && dims[1] == spec.width) || (dims.size() == 1 && spec.width == 1);
        if (!ok)
            return invalidArgument(QStringLiteral("input '%1': expected shape [-1, %2], got %3").arg(name).arg(spec.width).arg(shapeText(shape)));
        const qint64 rows = dims[0];
        if (rows < 1)
            return invalidArgument(QStringLiteral("input '%1': shape %2 has no rows").arg(name, shapeText(shape)));
        if (rows > maxBatch)
            return invalidArgument(QStringLiteral("input '%1': batch-size must be <= %2, got %3").arg(name).arg(maxBatch).arg(rows));
        if (request.rows != 0 && request.rows != rows)
            return invalidArgument(QStringLiteral("input '%1' has %2 rows, other inputs %3: every input needs the same rows").arg(name).arg(rows).arg(request.rows));
        request.rows = int(rows);
        const QJsonValue dataValue = o.value(QStringLiteral("data"));
        std::vector<QJsonValue> leaves;
        const size_t expected = size_t(product);
        leaves.reserve(expected);
        if (!dataValue.isArray() || !flatten(dataValue, leaves, expected, 0) || leaves.size() != expected)
            return invalidArgument(QStringLiteral("input '%1': shape %2 needs %3 values, \"data\" has %4")
                                       .arg(name, shapeText(shape)).arg(expected)
                                       .arg(dataValue.isArray() && leaves.size() < expected ? QString::number(leaves.size()) : QStringLiteral("more or is no array")));
        InputTensor &t = request.inputs[size_t(at)];
        t.name = name;
        t.datatype = datatype;
        t.rows = int(rows);
        t.width = spec.width;
        if (datatype == QLatin1String("BYTES")) {
            t.texts.reserve(expected);
            for (size_t i = 0; i < expected; ++i) {
                if (!leaves[i].isString())
                    return invalidArgument(QStringLiteral("input '%1': value %2 is no string (BYTES)").arg(name).arg(i));
                t.texts.push_back(leaves[i].toString());
            }
        } else {
            t.values.reserve(expected);
            for (size_t i = 0; i < expected; ++i) {
                const QJsonValue &v = leaves[i];
                if (v.isNull()) {
                    t.values.push_back(std::nanf("")); // a missing value
                    continue;
                }
                const double x = v.toDouble();
                if (!v.isDouble() || !std::isfinite(x) || std::fabs(x) > double(FLT_MAX))
                    return invalidArgument(QStringLiteral("input '%1': value %2 is not a finite FP32 value (null marks a missing value)").arg(name).arg(i));
                t.values.push_back(float(x));
            }
        }
    }
    for (int i = 0; i < metadata.inputs.size(); ++i)
        if (!seen.contains(metadata.inputs[i].name))
            return invalidArgument(QStringLiteral("input '%1' is missing; the model takes %2").arg(metadata.inputs[i].name, names.join(QStringLiteral(", "))));
    const QJsonValue wanted = root.value(QStringLiteral("outputs"));
    if (wanted.isArray()) {
        for (const auto &w : wanted.toArray()) {
            const QString n = w.toObject().value(QStringLiteral("name")).toString();
            bool known = false;
            for (const auto &t : metadata.outputs)
                known = known || t.name == n;
            if (!known)
                return invalidArgument(QStringLiteral("the model has no output '%1'").arg(n));
            request.outputs << n;
        }
    }
    return request;
}

void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

QByteArray inferResponse(const QString &modelName, const QString &version, const QString &id, const QStringList &wanted,
                         const std::vector<OutputTensor> &outputs, int firstRow, int rows)
{
    QByteArray out;
    out.reserve(128 + rows * 16);
    out += "{\"model_name\":";
    appendJsonString(out, modelName);
    out += ",\"model_version\":";
    appendJsonString(out, version);
    if (!id.isEmpty()) {
        out += ",\"id\":";
        appendJsonString(out, id);
    }
    out += ",\"outputs\":[";
    qint64 nonFinite = 0;
    bool first = true;
    char buf[32];
    for (const OutputTensor &t : outputs) {
        if (!wanted.isEmpty() && !wanted.contains(t.name))
            continue;
        if (!first)
            out += ',';
        first = false;
        out += "{\"name\":";
        appendJsonString(out, t.name);
        out += ",\"datatype\":\"FP32\",\"shape\":[";
        out += QByteArray::number(rows);
        out += ',';
        out += QByteArray::number(t.width);
        out += "],\"data\":[";
        const size_t begin = size_t(firstRow) * size_t(t.width);
        const size_t end = begin + size_t(rows) * size_t(t.width);
        for (size_t i = begin; i < end && i < t.values.size(); ++i) {
            if (i != begin)
                out += ',';
            const float v = float(t.values[i]);
            if (!std::isfinite(v)) {
                out += "null";
                ++nonFinite;
                continue;
            }
            const int n = std::snprintf(buf, sizeof buf, "%.9g", double(v));
            out.append(buf, n);
        }
        out += "]}";
    }
    out += ']';
    if (nonFinite > 0) {
        out += ",\"parameters\":{\"non_finite_outputs\":";
        out += QByteArray::number(nonFinite);
        out += '}';
    }
    out += '}';
    return out;
}

QJsonObject modelMetadataJson(const QString &name, const QString &version, const ModelMetadata &metadata)
{
    auto tensors = [](const QList<TensorSpec> &specs) {
        QJsonArray a;
        for (const auto &t : specs)
            a.append(QJsonObject{{QStringLiteral("name"), t.name}, {QStringLiteral("datatype"), t.datatype},
                                 {QStringLiteral("shape"), QJsonArray{-1, t.width}}});
        return a;
    };
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("versions"), QJsonArray{version}},
                       {QStringLiteral("platform"), metadata.platform},
                       {QStringLiteral("inputs"), tensors(metadata.inputs)},
                       {QStringLiteral("outputs"), tensors(metadata.outputs)}};
}

QByteArray errorBody(const QString &message)
{
    QByteArray out = "{\"error\":";
    appendJsonString(out, message);
    out += '}';
    return out;
}

Status warmUp(const InferenceModel &model, int runs)
{
    std::vector<InputTensor> batch;
    for (const TensorSpec &spec : model.metadata().inputs) {
        InputTensor t;
        t.name = spec.name;
        t.datatype = spec.datatype;
        t.rows = 1;
        t.width = spec.width;
        if (spec.datatype == QLatin1String("BYTES") && spec.sample.size() == spec.width)
            t.texts.assign(spec.sample.begin(), spec.sample.end());
        else if (spec.datatype == QLatin1String("BYTES"))
            t.texts.assign(size_t(spec.width), QString());
        else
            t.values.assign(size_t(spec.width), 0.0f);
        batch.push_back(std::move(t));
    }
    for (int i = 0; i < runs; ++i)
        ORRERY_TRY(model.run(batch, 1).status().withContext(QStringLiteral("warming the model up")));
    return Status();
}

} // namespace orrery::serve
