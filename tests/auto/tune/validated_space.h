#pragma once
// A search space for a test, validated: a test's own space that does not validate stops the test.
#include "core/tune/search_space.h"

#include <QtGlobal>

namespace orrery::tune::testing {

inline SearchSpace validated(QVector<ParamSpec> params)
{
    SearchSpace space(std::move(params));
    const Status s = space.validate();
    if (!s.isOk())
        qFatal("test space: %s", qPrintable(s.message()));
    return space;
}

} // namespace orrery::tune::testing
