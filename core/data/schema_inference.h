#pragma once
// Schema inference: the rules a CSV file satisfies today, as a Schema to save beside it.
//
// One streaming pass (profileCsv without quantiles); per column: the type, the observed min and
// max (numbers and timestamps), every category as allowed_values when the column has at most
// maxCategories distinct values, the observed null fraction rounded up to 4 decimals, and unique
// for int and string columns in which no value repeated. Uniqueness is only claimed while the
// distinct count is exact: inference raises the distinct budget to 16 million value hashes
// (16 bytes each at worst) so that ID columns of large files are still recognised.

#include "core/common/status.h"
#include "core/data/dataset_profile.h"
#include "core/data/schema.h"

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

Schema schemaFromProfile(const DatasetProfile &profile);
Result<Schema> inferSchema(const QString &csvPath, ProfileOptions options = {}, common::JobContext *job = nullptr);

} // namespace orrery::data
