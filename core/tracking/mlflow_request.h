#pragma once
// MlflowRequest: the fields of one MLflow REST request, read with proto3-JSON rules and MLflow's
// error messages, whether they came as a JSON body (POST) or as a query (GET, where repeated
// fields repeat the key: ?experiment_ids=1&experiment_ids=2).
//
// What it accepts, as MLflow's server (protobuf's ParseDict) does:
// - int64 as a JSON number or a decimal string (older clients send "1700000000000");
// - doubles as numbers or the strings "NaN", "Infinity", "-Infinity" (what protobuf's
//   MessageToJson, and so MLflow's Python client, sends for non-finite values), and also as bare
//   NaN / Infinity / -Infinity tokens (Python's json.dumps), which are not JSON: a body that
//   fails to parse is retried once with those tokens quoted outside strings;
// - a negative zero exactly (QJsonDocument reads -0.0 as +0: such a body is read the same way);
// - null as "not given".
// Errors are InvalidArgument naming the field as the client wrote it ("metrics[3].value"), in
// MLflow 2.4's words (mlflow/server/handlers.py, _validate_param_against_schema):
//   Missing value for required parameter 'timestamp'. See the API docs for more information about
//   request parameters.
//   Invalid value foo for parameter 'step' supplied. Hint: Value was of type 'str'. See the API
//   docs for more information about request parameters.
// where the value is printed as Python's str() prints what json.loads made of it: a string bare,
// numbers as Python writes them (1.0, 1e-05, 100000000000000000000), True/False/None, lists and
// dicts with repr'd items in the body's order ([{'key': 'm', 'value': 1}]) — read from the body's
// own text, so ints and floats stay apart as Python keeps them.

#include "core/common/status.h"
#include "core/http/http_request.h"
#include "core/tracking/tracking_types.h"

#include <QJsonObject>
#include <QStringList>
#include <QVector>

#include <memory>

namespace orrery::tracking {

class MlflowRequest {
public:
    MlflowRequest() = default;
    MlflowRequest(QJsonObject object, QString prefix) : m_object(std::move(object)), m_prefix(std::move(prefix)) {}

    // A JSON body; an empty body is {}. The error says where the JSON broke.
    static Result<MlflowRequest> fromBody(const QByteArray &body);
    static MlflowRequest fromQuery(const http::QueryItems &items);

    bool has(const QString &field) const;
    Result<QString> string(const QString &field, bool required = false) const;
    // `fallback` when absent.
    Result<qint64> int64(const QString &field, bool required = false, qint64 fallback = 0) const;
    Result<double> number(const QString &field, bool required = false) const;
    // A JSON boolean, or "true"/"false" in a query; `fallback` when absent.
    Result<bool> boolean(const QString &field, bool fallback = false) const;
    Result<QStringList> strings(const QString &field) const;
    Result<QVector<MlflowRequest>> objects(const QString &field) const;
    // A nested message ({} when absent and not required), its fields named "<field>.<name>".
    Result<MlflowRequest> object(const QString &field, bool required = false) const;
    // [{"key", "value"}] — tags, params.
    Result<QVector<KeyValue>> keyValues(const QString &field) const;

    QString name(const QString &field) const { return m_prefix + field; }
    const QJsonObject &json() const { return m_object; }

    // NaN / Infinity / -Infinity outside strings become "NaN" / "Infinity" / "-Infinity", and a
    // negative zero number "-0.0".
    static QByteArray quoteNonFiniteTokens(const QByteArray &json);
    static Status missing(const QString &name);
    // MLflow's "Invalid value <v> for parameter '<field>' supplied. Hint: Value was of type '<t>'. …"
    // for the value of `field` as the client sent it (also for values of the right type that are
    // out of range, as MLflow's schema checks say it).
    Status invalid(const QString &field) const;
    // MLflow's log-batch check (_assert_metrics_fields_present and friends): every object in the
    // list `field` has each of `keys` neither absent, null nor ""; otherwise the whole list is the
    // invalid value ("Invalid value [{'key': 'm', 'value': 1}] for parameter 'metrics' …").
    Status requireInEach(const QString &field, const QStringList &keys) const;
    // A double as Python prints it (repr and str agree): 1.0, 1e-05, 1e+20, nan, -inf.
    static QString pythonFloat(double value);

private:
    MlflowRequest child(QJsonObject object, QString prefix) const;
    Status invalidAt(const QString &fullName, const QJsonValue &value) const;
    QJsonObject m_object;
    QString m_prefix;
    std::shared_ptr<const QByteArray> m_body; // the body as sent (null for a query), for invalid()
};

} // namespace orrery::tracking
