#pragma once
// How a run names itself where several are shown together. Runs of one experiment usually share
// one name ("fraud-mlp" for every rerun), so a name alone cannot tell them apart: the table and
// the legends add the run id's first 8 hex digits, and the legends also the params that differ
// among the runs compared ("fraud-mlp 3f2a91c0 · optimizer.lr=0.001").

#include <QHash>
#include <QString>
#include <QStringList>

namespace orrery::ui {

struct RunPopulation;

namespace runlabel {

constexpr int kShortIdLength = 8;
constexpr int kMaxParamsInLabel = 3; // more makes a legend entry longer than its chart

QString shortId(const QString &runId);
// "fraud-mlp 3f2a91c0"; the short id alone for a run with no name.
QString nameWithId(const QString &name, const QString &runId);
// For each of `runIds` found in `population`: "key=value" of the params whose values differ among
// those runs (a param one run lacks differs too), in the population's key order, values in the
// shared number format. Runs not in the population get no entry.
QHash<QString, QStringList> differingParams(const RunPopulation &population, const QStringList &runIds);
// "fraud-mlp 3f2a91c0 · optimizer.lr=0.001 · batch=64" (at most kMaxParamsInLabel params).
QString legendLabel(const QString &name, const QString &runId, const QStringList &params);
// A param's text in the shared number format when it is a decimal number ("5e-04" reads 0.0005,
// as a metric would); other text (integers, names) as it is.
QString paramText(const QString &raw);

} // namespace runlabel
} // namespace orrery::ui
