#pragma once
// Schema inference: the rules a CSV file's data satisfies, with room for more data from the same
// source, as a Schema to save beside it.
//
// One streaming pass (profileCsv without quantiles). Per column, the rule (written down in
// schema.h too, as users read it there):
// - type: as inferred;
// - numbers: the observed range widened by its own width on each side (ints rounded outward,
//   floats to hundredths; a column never below 0 keeps min >= 0), so that the next sample from
//   the same source — whose extremes are rarely the first one's — still passes, while a unit
//   mistake (x100) or a sign error does not; int columns of two adjacent values (0/1 flags) keep
//   their bounds;
// - timestamps: min widened the same way, no max (new data is newer);
// - missing values: a column that had none must stay complete (0); otherwise the observed share
//   x 1.5 + 0.01, at most 1, rounded up to 4 decimals;
// - categories (text with at most maxCategories distinct values): every value seen, as
//   allowed_values, unless `openCategories` (CLI: --open-categories) leaves them open;
// - unique: for int and string columns in which no value repeated. Uniqueness is only claimed
//   while the distinct count is exact: inference raises the distinct budget to 16 million value
//   hashes (16 bytes each at worst) so that ID columns of large files are still recognised.

#include "core/common/status.h"
#include "core/data/dataset_profile.h"
#include "core/data/schema.h"

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

struct InferenceOptions {
    bool openCategories = false; // true: categories get no allowed_values
};

Schema schemaFromProfile(const DatasetProfile &profile, const InferenceOptions &inference = {});
Result<Schema> inferSchema(const QString &csvPath, ProfileOptions options = {}, common::JobContext *job = nullptr,
                           const InferenceOptions &inference = {});

} // namespace orrery::data
