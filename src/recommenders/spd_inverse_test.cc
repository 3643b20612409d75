#include "recommenders/spd_inverse.h"

#include <gtest/gtest.h>

namespace tailor::recommenders {
namespace {

template <typename S>
void CheckInverse(int n, int threads) {
  using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  std::srand(17);  // Eigen's Random() draws from std::rand
  Matrix x = Matrix::Random(n, n);
  Matrix g = x.transpose() * x / static_cast<S>(n);
  g.diagonal().array() += S{1};
  Matrix inv = g;
  ASSERT_TRUE(SpdInverse<S>(inv, threads));
  const double err = (g * inv - Matrix::Identity(n, n)).cwiseAbs().maxCoeff();
  EXPECT_LT(err, sizeof(S) == 4 ? 1e-4 : 1e-10) << "n=" << n << " threads=" << threads;
  EXPECT_LT((inv - inv.transpose()).cwiseAbs().maxCoeff(), sizeof(S) == 4 ? 1e-5 : 1e-12);
}

TEST(SpdInverse, RecursiveBlocksMatchTheIdentity) {
  CheckInverse<float>(100, 1);   // Cholesky leaf only
  CheckInverse<float>(1001, 1);  // odd split, two levels
  CheckInverse<float>(1001, 2);
  CheckInverse<double>(777, 2);
}

TEST(SpdInverse, RejectsIndefiniteMatrices) {
  Eigen::MatrixXf m = Eigen::MatrixXf::Identity(800, 800);
  m(700, 700) = -1;  // the Schur complement block fails
  EXPECT_FALSE(SpdInverse<float>(m, 2));
  Eigen::MatrixXf small = -Eigen::MatrixXf::Identity(10, 10);
  EXPECT_FALSE(SpdInverse<float>(small, 1));
}

}  // namespace
}  // namespace tailor::recommenders
