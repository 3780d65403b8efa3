#include <billrun/report/report.hpp>

#include <catch2/catch.hpp>

using billrun::report::aging_bucket;
using billrun::report::Bucket;
using billrun::report::bucket_key;

TEST_CASE("aging_bucket")
{
    SECTION("not yet due, or due on the business date, is current")
    {
        CHECK(aging_bucket(-365) == Bucket::current);
        CHECK(aging_bucket(-1) == Bucket::current);
        CHECK(aging_bucket(0) == Bucket::current);
    }
    SECTION("each bucket's first and last day")
    {
        CHECK(aging_bucket(1) == Bucket::days_1_30);
        CHECK(aging_bucket(30) == Bucket::days_1_30);
        CHECK(aging_bucket(31) == Bucket::days_31_60);
        CHECK(aging_bucket(60) == Bucket::days_31_60);
        CHECK(aging_bucket(61) == Bucket::days_61_90);
        CHECK(aging_bucket(90) == Bucket::days_61_90);
        CHECK(aging_bucket(91) == Bucket::days_over_90);
        CHECK(aging_bucket(10000) == Bucket::days_over_90);
    }
}

TEST_CASE("bucket_key")
{
    CHECK(bucket_key(Bucket::current) == "current");
    CHECK(bucket_key(Bucket::days_1_30) == "1-30");
    CHECK(bucket_key(Bucket::days_31_60) == "31-60");
    CHECK(bucket_key(Bucket::days_61_90) == "61-90");
    CHECK(bucket_key(Bucket::days_over_90) == "90+");
}

TEST_CASE("parse_kind")
{
    CHECK(billrun::report::parse_kind("aging") == billrun::report::Kind::aging);
    CHECK(billrun::report::parse_kind("runs") == billrun::report::Kind::runs);
    CHECK_FALSE(billrun::report::parse_kind("agin"));
    CHECK(billrun::report::names().size() == 5);
}
