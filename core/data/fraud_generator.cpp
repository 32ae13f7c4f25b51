#include "core/data/fraud_generator.h"

#include "core/common/atomic_file.h"
#include "core/common/job.h"
#include "core/common/random.h"

#include <QRegularExpression>

#include <array>
#include <cmath>

namespace orrery::data {
namespace {

const std::array<const char *, 8> kCategories = {"grocery", "restaurant", "fuel", "health",
                                                  "entertainment", "electronics", "travel", "online_retail"};
// Category weights for legitimate and fraudulent transactions (fraud leans to resellable goods).
const std::array<double, 8> kCategoryLegit = {0.26, 0.18, 0.14, 0.08, 0.09, 0.07, 0.06, 0.12};
const std::array<double, 8> kCategoryFraud = {0.05, 0.04, 0.04, 0.02, 0.08, 0.30, 0.17, 0.30};
const std::array<const char *, 3> kChannels = {"pos", "online", "atm"};
const std::array<const char *, 7> kCountries = {"US", "GB", "DE", "FR", "NL", "ES", "BR"};

QByteArray formatAmount(double v)
{
    return QByteArray::number(v, 'f', 2);
}

} // namespace

struct FraudGenerator::Impl {
    // The new category's draws have a stream of their own (the seed, mixed), so that adding one
    // to a shift changes the category of the rows that get it and nothing else.
    explicit Impl(quint64 seed) : random(seed), newCategoryRandom(seed ^ 0x6e65772d63617465ULL) {}
    common::Random random;
    common::Random newCategoryRandom;
};

QStringList FraudGenerator::merchantCategories()
{
    QStringList names;
    for (const char *c : kCategories)
        names << QLatin1String(c);
    return names;
}

Status validateFraudShift(const FraudShift &shift)
{
    if (!(shift.newCategoryShare >= 0.0 && shift.newCategoryShare <= 1.0))
        return invalidArgument(QStringLiteral("the new category's share is %1; it must be between 0 and 1").arg(shift.newCategoryShare));
    if (shift.newCategory.isEmpty()) {
        if (shift.newCategoryShare > 0.0)
            return invalidArgument(QStringLiteral("a new-category share of %1 needs the category's name").arg(shift.newCategoryShare));
        return Status::ok();
    }
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
    if (!name.match(shift.newCategory).hasMatch())
        return invalidArgument(QStringLiteral("the new category '%1' is not a name of letters, digits, '_', '-' and '.' (at most 64), e.g. crypto_exchange")
                                   .arg(shift.newCategory));
    if (FraudGenerator::merchantCategories().contains(shift.newCategory))
        return invalidArgument(QStringLiteral("'%1' is one of the merchant categories the data already has (%2); a new category needs a name of its own, "
                                              "e.g. crypto_exchange")
                                   .arg(shift.newCategory, FraudGenerator::merchantCategories().join(QStringLiteral(", "))));
    return Status::ok();
}

FraudGenerator::FraudGenerator(FraudDataOptions options)
    : m_options(std::move(options)), m_impl(std::make_shared<Impl>(m_options.seed))
{
}

QStringList FraudGenerator::columnNames()
{
    return {QStringLiteral("transaction_id"), QStringLiteral("timestamp"), QStringLiteral("customer_id"),
            QStringLiteral("amount"), QStringLiteral("merchant_category"), QStringLiteral("channel"),
            QStringLiteral("country"), QStringLiteral("distance_from_home_km"), QStringLiteral("customer_age"),
            QStringLiteral("account_age_days"), QStringLiteral("transactions_last_24h"), QStringLiteral("is_fraud")};
}

QByteArray FraudGenerator::csvHeader()
{
    return columnNames().join(QLatin1Char(',')).toUtf8() + '\n';
}

FraudTransaction FraudGenerator::next()
{
    common::Random &r = m_impl->random;
    FraudTransaction t;
    t.index = m_next++;
    const qint64 offsetMs = m_options.rows > 0 ? qint64(double(t.index) * m_options.spanSeconds * 1000.0 / double(m_options.rows)) : 0;
    t.timestamp = m_options.start.addMSecs(offsetMs + qint64(r.uniform(0, 1000)));

    const bool shifted = m_options.shift.isActive() && t.timestamp >= m_options.shift.from;
    const double fraudRate = qBound(0.0, m_options.fraudRate * (shifted ? m_options.shift.fraudRateScale : 1.0), 1.0);
    t.isFraud = r.bernoulli(fraudRate);

    t.customerId = QStringLiteral("C%1").arg(r.below(quint64(qMax(1, m_options.customers))) + 1, 5, 10, QLatin1Char('0'));

    // Channel: online share is the shift's lever on the mix.
    double onlineShare = t.isFraud ? 0.62 : 0.28;
    if (shifted && m_options.shift.onlineShare >= 0.0)
        onlineShare = t.isFraud ? qMax(onlineShare, m_options.shift.onlineShare) : m_options.shift.onlineShare;
    const double atmShare = t.isFraud ? 0.08 : 0.07;
    const std::array<double, 3> channelWeights = {qMax(0.0, 1.0 - onlineShare - atmShare), onlineShare, atmShare};
    const int channel = r.categorical(channelWeights);
    t.channel = QLatin1String(kChannels[size_t(channel)]);

    std::array<double, 8> categoryWeights = t.isFraud ? kCategoryFraud : kCategoryLegit;
    if (channel == 1) // online purchases are rarely fuel or groceries
        categoryWeights[2] *= 0.1, categoryWeights[0] *= 0.4, categoryWeights[7] *= 3.0;
    t.merchantCategory = QLatin1String(kCategories[size_t(r.categorical(categoryWeights))]);
    // Drawn for every shifted row whatever the share, so the stream stays in step with the rows.
    if (shifted && !m_options.shift.newCategory.isEmpty() && m_impl->newCategoryRandom.bernoulli(m_options.shift.newCategoryShare))
        t.merchantCategory = m_options.shift.newCategory;

    const double foreign = t.isFraud ? 0.35 : 0.06;
    t.country = r.bernoulli(foreign) ? QLatin1String(kCountries[1 + r.below(kCountries.size() - 1)]) : QStringLiteral("US");

    double amount = t.isFraud ? r.logNormal(5.0, 1.0) : r.logNormal(3.4, 0.9);
    if (shifted)
        amount *= m_options.shift.amountScale;
    t.amount = std::round(qMax(0.5, amount) * 100.0) / 100.0;

    t.distanceFromHomeKm = std::round((t.isFraud ? r.logNormal(4.0, 1.4) : r.logNormal(1.8, 1.1)) * 10.0) / 10.0;
    t.customerAge = r.bernoulli(0.02) ? 0 : int(qBound(18.0, r.normal(t.isFraud ? 36 : 44, 14), 95.0));
    t.accountAgeDays = int(t.isFraud ? r.exponential(180.0) : r.exponential(1100.0));
    t.transactionsLast24h = int(t.isFraud ? 1 + r.exponential(5.0) : r.exponential(1.5));
    return t;
}

QByteArray FraudGenerator::csvLine(const FraudTransaction &t)
{
    QByteArray line;
    line.reserve(128);
    line += 'T' + QByteArray::number(t.index + 1).rightJustified(7, '0') + ',';
    line += t.timestamp.toUTC().toString(Qt::ISODate).toLatin1() + ',';
    line += t.customerId.toLatin1() + ',';
    line += formatAmount(t.amount) + ',';
    line += t.merchantCategory.toLatin1() + ',';
    line += t.channel.toLatin1() + ',';
    line += t.country.toLatin1() + ',';
    line += QByteArray::number(t.distanceFromHomeKm, 'f', 1) + ',';
    line += (t.customerAge > 0 ? QByteArray::number(t.customerAge) : QByteArray()) + ',';
    line += QByteArray::number(t.accountAgeDays) + ',';
    line += QByteArray::number(t.transactionsLast24h) + ',';
    line += t.isFraud ? "1\n" : "0\n";
    return line;
}

Status writeFraudCsv(const QString &path, const FraudDataOptions &options, common::JobContext *job)
{
    if (options.rows <= 0)
        return invalidArgument(QStringLiteral("the fraud dataset needs at least one row (got %1)").arg(options.rows));
    if (options.fraudRate < 0.0 || options.fraudRate > 1.0)
        return invalidArgument(QStringLiteral("fraud rate %1 is not between 0 and 1").arg(options.fraudRate));
    ORRERY_TRY(validateFraudShift(options.shift));
    common::AtomicFile file(path);
    ORRERY_TRY(file.open());
    ORRERY_TRY(file.write(FraudGenerator::csvHeader()));
    FraudGenerator generator(options);
    while (!generator.atEnd()) {
        const FraudTransaction t = generator.next();
        ORRERY_TRY(file.write(FraudGenerator::csvLine(t)));
        if (job && (t.index & 0xfff) == 0) {
            if (job->isCancelled())
                return job->cancelledStatus();
            job->setProgress(t.index, options.rows, QStringLiteral("generating transactions"));
        }
    }
    if (job)
        job->setProgress(options.rows, options.rows, QStringLiteral("generated %1 transactions").arg(options.rows));
    return file.commit();
}

} // namespace orrery::data
