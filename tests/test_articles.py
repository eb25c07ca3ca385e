"""Splitting regulation texts into articles, as published texts actually lay them out."""

import pytest

from zwxm.rules import chinese_number, parse_articles


@pytest.mark.parametrize("text, number", [("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("三十四", 34),
                                          ("一百零二", 102), ("两百", 200)])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


TEXT = """某区办法

# 第一章 总则

第一条 为了规范管理，制定本办法。

第二条 本办法适用于本区。依照第一条规定执行。 第三条 建设单位在合同签订后5个工作日内上传。
# 第二章 附则
第四条\u3000本办法自印发之日起施行。

抄送：区委办公室。
"""


def test_run_on_articles_chapters_and_end_matter():
    articles = parse_articles(TEXT)
    assert sorted(articles) == [1, 2, 3, 4]
    assert articles[2] == "第二条 本办法适用于本区。依照第一条规定执行。"  # a reference is not a heading
    assert articles[3].startswith("第三条") and "章" not in articles[3]
    assert articles[4] == "第四条\u3000本办法自印发之日起施行。"  # the distribution list is cut off


@pytest.mark.parametrize("district, count", [("luohu", 34), ("wuxing", 33), ("yubei", 20), ("potou", 31)])
def test_every_district_text_splits_into_consecutive_articles(district, count):
    from zwxm.plugins import get_registry

    articles = get_registry().districts[district].regulation.articles()
    assert sorted(articles) == list(range(1, count + 1))
    assert all(text.startswith("第") for text in articles.values())
