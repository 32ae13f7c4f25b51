#include "core/monitor/feedback_accuracy.h"

#include "core/store/database.h"

#include <QHash>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>

namespace orrery::monitor {
namespace {

// The prediction log's outputs, {"name":[[v,…],[v,…]],…} (prediction_log.cpp's tensorsJson):
// the first output's name and its row `row`. False when the text is not in that shape or has no
// such row. Values that are not numbers (null) read as NaN.
class OutputScanner {
public:
    explicit OutputScanner(std::string_view text) : m_s(text) {}

    bool firstOutputRow(int row, std::string &name, std::vector<double> &values)
    {
        values.clear();
        if (!expect('{') || !string(name) || !expect(':') || !expect('['))
            return false;
        for (int r = 0;; ++r) {
            if (!expect('['))
                return false;
            const bool wanted = r == row;
            skipSpace();
            if (peek() != ']') {
                for (;;) {
                    double v = 0;
                    if (!number(v))
                        return false;
                    if (wanted)
                        values.push_back(v);
                    skipSpace();
                    if (peek() == ',') {
                        ++m_i;
                        continue;
                    }
                    break;
                }
            }
            if (!expect(']'))
                return false;
            if (wanted)
                return true;
            if (!expect(','))
                return false; // the array ended before `row`
        }
    }

private:
    void skipSpace()
    {
        while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\t' || m_s[m_i] == '\r'))
            ++m_i;
    }
    char peek() const { return m_i < m_s.size() ? m_s[m_i] : '\0'; }
    bool expect(char c)
    {
        skipSpace();
        if (peek() != c)
            return false;
        ++m_i;
        return true;
    }
    bool string(std::string &out)
    {
        out.clear();
        if (!expect('"'))
            return false;
        while (m_i < m_s.size() && m_s[m_i] != '"') {
            if (m_s[m_i] == '\\' && m_i + 1 < m_s.size())
                ++m_i;
            out += m_s[m_i++];
        }
        return m_i++ < m_s.size();
    }
    bool number(double &out)
    {
        skipSpace();
        if (m_s.substr(m_i, 4) == "null") {
            m_i += 4;
            out = qQNaN();
            return true;
        }
        const char *begin = m_s.data() + m_i;
        const auto [end, ec] = std::from_chars(begin, m_s.data() + m_s.size(), out);
        if (ec != std::errc() || end == begin)
            return false;
        m_i += size_t(end - begin);
        return true;
    }

    std::string_view m_s;
    size_t m_i = 0;
};

// Versions in numeric order ("10" after "9"), then by bucket.
struct GroupKey {
    QString version;
    qint64 bucket = 0;
    bool operator<(const GroupKey &o) const
    {
        if (version != o.version) {
            bool na = false, nb = false;
            const qint64 a = version.toLongLong(&na), b = o.version.toLongLong(&nb);
            if (na && nb)
                return a < b;
            if (na != nb)
                return na; // numbers first
            return version < o.version;
        }
        return bucket < o.bucket;
    }
};

struct Group {
    std::vector<const ScoredRow *> rows;
    qint64 skipped = 0;
    bool regressor = false;
};

} // namespace

FeedbackAccuracy::FeedbackAccuracy(store::Database &db, double threshold) : m_db(db), m_threshold(threshold) {}

// One labelled row as read: its version and time, and what compute() scores.
struct FeedbackAccuracy::Labelled {
    QString version;
    qint64 time = 0;
    bool ok = false;        // could be scored
    bool regressor = false;
    ScoredRow row;
};

Result<QVector<AccuracyFigures>> FeedbackAccuracy::rolling(const QString &endpoint, qint64 fromMs, qint64 toMs)
{
    ORRERY_ASSIGN_OR_RETURN(const auto rows, read(endpoint, fromMs, toMs));
    return group(rows, fromMs, toMs, 0);
}

Result<QVector<AccuracyFigures>> FeedbackAccuracy::series(const QString &endpoint, qint64 fromMs, qint64 toMs, qint64 bucketMs)
{
    if (bucketMs <= 0)
        return invalidArgument(QStringLiteral("accuracy series: the bucket must be longer than 0 ms (got %1)").arg(bucketMs));
    ORRERY_ASSIGN_OR_RETURN(const auto rows, read(endpoint, fromMs, toMs));
    return group(rows, fromMs, toMs, bucketMs);
}

Status FeedbackAccuracy::rollingAndSeries(const QString &endpoint, qint64 fromMs, qint64 toMs, qint64 bucketMs, QVector<AccuracyFigures> &rolling,
                                          QVector<AccuracyFigures> &series)
{
    if (bucketMs <= 0)
        return invalidArgument(QStringLiteral("accuracy series: the bucket must be longer than 0 ms (got %1)").arg(bucketMs));
    ORRERY_ASSIGN_OR_RETURN(const auto rows, read(endpoint, fromMs, toMs));
    rolling = group(rows, fromMs, toMs, 0);
    series = group(rows, fromMs, toMs, bucketMs);
    return {};
}

Result<std::vector<FeedbackAccuracy::Labelled>> FeedbackAccuracy::read(const QString &endpoint, qint64 fromMs, qint64 toMs)
{
    // Labels come after their prediction, so f.time >= from bounds the index range. The newest
    // label of a (prediction, row) wins: the one with the larger feedback id (no ORDER BY: a
    // sort of every label read costs more than the comparison).
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "SELECT f.prediction_id, f.row, f.label_number, f.label_text, p.version, p.time, p.outputs, f.id "
        "FROM feedback f JOIN predictions p ON p.id = f.prediction_id "
        "WHERE f.endpoint = ?1 AND f.time >= ?2 AND f.prediction_id IS NOT NULL AND p.time >= ?2 AND p.time < ?3")));
    s.bind(1, endpoint).bind(2, fromMs).bind(3, toMs);
    struct Seen {
        size_t index;
        qint64 feedbackId;
    };
    QHash<std::pair<qint64, qint64>, Seen> byRow; // (prediction id, row) → where in `all`, by which label
    std::vector<Labelled> all;
    std::string name;
    std::string versionBytes; // most rows share a few versions: one QString each, shared
    QString version;
    while (s.next()) {
        Labelled l;
        if (const std::string_view v = s.utf8(4); v != versionBytes) {
            versionBytes.assign(v);
            version = QString::fromUtf8(v.data(), qsizetype(v.size()));
        }
        l.version = version;
        l.time = s.int64(5);
        const int row = int(s.int64(1));
        double label = qQNaN();
        if (!s.isNull(2)) {
            label = s.real(2);
        } else if (!s.isNull(3)) {
            bool number = false;
            const double v = s.text(3).trimmed().toDouble(&number);
            if (number)
                label = v;
        }
        OutputScanner scan(s.utf8(6));
        l.ok = std::isfinite(label) && row >= 0 && scan.firstOutputRow(row, name, l.row.outputs) && !l.row.outputs.empty();
        l.regressor = name == "prediction";
        l.row.label = label;
        const qint64 feedbackId = s.int64(7);
        const auto key = std::make_pair(s.int64(0), qint64(row));
        if (const auto it = byRow.find(key); it != byRow.end()) {
            if (feedbackId > it->feedbackId) {
                all[it->index] = std::move(l);
                it->feedbackId = feedbackId;
            }
        } else {
            byRow.insert(key, {all.size(), feedbackId});
            all.push_back(std::move(l));
        }
    }
    ORRERY_TRY(s.status());
    return all;
}

QVector<AccuracyFigures> FeedbackAccuracy::group(const std::vector<Labelled> &rows, qint64 fromMs, qint64 toMs, qint64 bucketMs) const
{
    // By (version, bucket); versions in numeric order ("10" after "9").
    std::map<GroupKey, Group> groups;
    for (const Labelled &l : rows) {
        Group &g = groups[{l.version, bucketMs > 0 ? (l.time - fromMs) / bucketMs : 0}];
        if (!l.ok) {
            ++g.skipped;
            continue;
        }
        g.regressor = l.regressor;
        g.rows.push_back(&l.row);
    }
    QVector<AccuracyFigures> out;
    for (auto &[key, g] : groups) {
        AccuracyFigures f = computeRows(g.rows, g.regressor, m_threshold);
        f.version = key.version;
        f.skipped += g.skipped;
        f.from = bucketMs > 0 ? fromMs + key.bucket * bucketMs : fromMs;
        f.to = bucketMs > 0 ? std::min(toMs, f.from + bucketMs) : toMs;
        out.append(f);
    }
    return out;
}

AccuracyFigures FeedbackAccuracy::compute(const std::vector<ScoredRow> &rows, bool regressor, double threshold)
{
    std::vector<const ScoredRow *> pointers;
    pointers.reserve(rows.size());
    for (const ScoredRow &r : rows)
        pointers.push_back(&r);
    return computeRows(pointers, regressor, threshold);
}

AccuracyFigures FeedbackAccuracy::computeRows(const std::vector<const ScoredRow *> &rows, bool regressor, double threshold)
{
    AccuracyFigures f;
    f.classifier = !regressor;
    if (regressor) {
        double absSum = 0, sqSum = 0;
        for (const ScoredRow *p : rows) {
            const ScoredRow &r = *p;
            const double e = r.outputs.front() - r.label;
            if (!std::isfinite(e)) {
                ++f.skipped;
                continue;
            }
            absSum += std::abs(e);
            sqSum += e * e;
            ++f.labels;
        }
        if (f.labels) {
            f.mae = absSum / double(f.labels);
            f.rmse = std::sqrt(sqSum / double(f.labels));
        }
        return f;
    }
    // The output's width decides binary or not; rows of another width (a changed model under the
    // same version cannot happen, a malformed row can) are skipped.
    size_t width = 0;
    for (const ScoredRow *p : rows)
        width = std::max(width, p->outputs.size());
    f.classes = int(std::max<size_t>(width, 2));
    if (width > 2) {
        qint64 right = 0;
        for (const ScoredRow *p : rows) {
            const ScoredRow &r = *p;
            const double label = r.label;
            if (r.outputs.size() != width || label != std::floor(label) || label < 0 || label >= double(width)) {
                ++f.skipped;
                continue;
            }
            if (std::any_of(r.outputs.cbegin(), r.outputs.cend(), [](double v) { return std::isnan(v); })) {
                ++f.skipped;
                continue;
            }
            const size_t predicted = size_t(std::max_element(r.outputs.cbegin(), r.outputs.cend()) - r.outputs.cbegin());
            right += predicted == size_t(label) ? 1 : 0;
            ++f.labels;
        }
        if (f.labels)
            f.accuracy = double(right) / double(f.labels);
        return f;
    }
    std::vector<double> scores;
    std::vector<int> labels;
    qint64 tp = 0, fp = 0, tn = 0, fn = 0;
    for (const ScoredRow *p : rows) {
        const ScoredRow &r = *p;
        const double score = r.outputs.size() == 1 ? r.outputs[0] : r.outputs.size() == 2 ? r.outputs[1] : qQNaN();
        if (!std::isfinite(score) || (r.label != 0 && r.label != 1)) {
            ++f.skipped;
            continue;
        }
        const int label = int(r.label);
        const bool predicted = score >= threshold;
        if (predicted && label)
            ++tp;
        else if (predicted)
            ++fp;
        else if (label)
            ++fn;
        else
            ++tn;
        scores.push_back(score);
        labels.push_back(label);
    }
    f.labels = qint64(scores.size());
    f.positives = tp + fn;
    if (f.labels == 0)
        return f;
    f.accuracy = double(tp + tn) / double(f.labels);
    if (tp + fp)
        f.precision = double(tp) / double(tp + fp);
    if (tp + fn)
        f.recall = double(tp) / double(tp + fn);
    if (std::isfinite(f.precision) && std::isfinite(f.recall))
        f.f1 = f.precision + f.recall > 0 ? 2 * f.precision * f.recall / (f.precision + f.recall) : 0.0;
    f.rocAuc = rocAuc(scores, labels);
    return f;
}

double FeedbackAccuracy::rocAuc(const std::vector<double> &scores, const std::vector<int> &labels)
{
    const size_t n = scores.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    // Mann–Whitney: the positives' rank sum, tied scores sharing their average rank.
    double positiveRanks = 0;
    qint64 positives = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && scores[order[j]] == scores[order[i]])
            ++j;
        const double rank = (double(i + 1) + double(j)) / 2.0; // ranks i+1 … j, averaged
        for (size_t k = i; k < j; ++k)
            if (labels[order[k]]) {
                positiveRanks += rank;
                ++positives;
            }
        i = j;
    }
    const qint64 negatives = qint64(n) - positives;
    if (positives == 0 || negatives == 0)
        return qQNaN();
    return (positiveRanks - double(positives) * double(positives + 1) / 2.0) / (double(positives) * double(negatives));
}

} // namespace orrery::monitor
