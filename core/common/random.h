#pragma once
// A seeded random generator whose sequence is the same on every platform and standard library
// (std::normal_distribution is not), so a generated dataset is reproducible from its seed alone.
// xoshiro256** seeded through splitmix64; normals by Box–Muller.

#include <QtGlobal>

#include <cmath>

namespace orrery::common {

class Random {
public:
    explicit Random(quint64 seed)
    {
        for (auto &s : m_state) {
            seed += 0x9e3779b97f4a7c15ULL;
            quint64 z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }

    quint64 nextU64()
    {
        const quint64 result = rotl(m_state[1] * 5, 7) * 9;
        const quint64 t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    // Uniform in [0, 1).
    double uniform() { return double(nextU64() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [0, n).
    quint64 below(quint64 n) { return n == 0 ? 0 : nextU64() % n; }
    bool bernoulli(double p) { return uniform() < p; }

    double normal(double mean = 0.0, double sd = 1.0)
    {
        if (m_haveSpare) {
            m_haveSpare = false;
            return mean + sd * m_spare;
        }
        double u1 = uniform();
        while (u1 <= 0.0)
            u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        m_spare = r * std::sin(2.0 * M_PI * u2);
        m_haveSpare = true;
        return mean + sd * r * std::cos(2.0 * M_PI * u2);
    }

    double logNormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }
    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

    // Index drawn with the given (not necessarily normalised) weights.
    template <typename Weights>
    int categorical(const Weights &weights)
    {
        double total = 0.0;
        for (double w : weights)
            total += w;
        double x = uniform() * total;
        int i = 0;
        for (double w : weights) {
            if (x < w)
                return i;
            x -= w;
            ++i;
        }
        return i - 1;
    }

private:
    static quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }
    quint64 m_state[4];
    double m_spare = 0.0;
    bool m_haveSpare = false;
};

} // namespace orrery::common
