#pragma once
// A fake InferenceModel for core/serve's tests: no LibTorch, known answers, and a record of the
// batches it was called with.
#include "core/serve/inference_model.h"

#include <cmath>
#include <mutex>

namespace orrery::testing {


// x: FP32 [-1, 3] → y: [-1, 2] = (x0 + x1 + x2, 2 · x0). x0 = 999: y is (NaN, inf); x0 = -1: the
// model refuses the input; x0 = -2: it fails.
class FakeModel : public serve::InferenceModel {
public:
    // swapped: y = (2 · x0, x0 + x1 + x2) instead, so its predicted class (the argmax) differs
    explicit FakeModel(bool swapped = false) : m_swapped(swapped)
    {
        m_metadata.inputs.append({QStringLiteral("x"), QStringLiteral("FP32"), 3});
        m_metadata.outputs.append({QStringLiteral("y"), QStringLiteral("FP32"), 2});
    }
    const serve::ModelMetadata &metadata() const override { return m_metadata; }
    Result<std::vector<serve::OutputTensor>> run(const std::vector<serve::InputTensor> &batch, int rows) const override
    {
        {
            std::lock_guard lock(m_mutex);
            m_batches.push_back(rows);
        }
        serve::OutputTensor y;
        y.name = QStringLiteral("y");
        y.rows = rows;
        y.width = 2;
        const auto &x = batch.at(0).values;
        for (int r = 0; r < rows; ++r) {
            const float x0 = x[size_t(r * 3)];
            if (x0 == -1)
                return invalidArgument(QStringLiteral("x0 must not be -1"));
            if (x0 == -2)
                return internalError(QStringLiteral("the model broke"));
            if (x0 == 999) {
                y.values.push_back(std::nan(""));
                y.values.push_back(INFINITY);
                continue;
            }
            const double sum = double(x0) + x[size_t(r * 3 + 1)] + x[size_t(r * 3 + 2)];
            y.values.push_back(m_swapped ? 2.0 * x0 : sum);
            y.values.push_back(m_swapped ? sum : 2.0 * x0);
        }
        return std::vector<serve::OutputTensor>{y};
    }
    std::vector<int> batches() const
    {
        std::lock_guard lock(m_mutex);
        return m_batches;
    }

private:
    bool m_swapped = false;
    serve::ModelMetadata m_metadata;
    mutable std::mutex m_mutex;
    mutable std::vector<int> m_batches;
};

} // namespace orrery::testing
