"""The tokenizer shared by indexing and querying, so both sides always agree.

Chinese runs are segmented with jieba (search mode, which also emits the shorter words
inside long ones); Latin runs are lower-cased, stop words dropped and Snowball-stemmed.
The tokens are what PostgreSQL stores (with the 'simple' configuration) and matches.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata

import jieba
import snowballstemmer

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HAS_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

EN_STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from into about as is are was were be been "
    "being do does did doing have has had i me my we our you your he she it its they them their "
    "this that these those there here what which who whom when where why how can could should would "
    "will shall may might must not no nor so than too very just also any all some such only own same "
    "s t am im ive dont didnt doesnt cant cannot wont isnt arent wasnt please help hi hello thanks "
    "thank still yet again get got getting want need know tell".split()
)
ZH_STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 嘛 么 我 我们 你 你们 您 他 她 它 是 在 有 和 与 及 或 就 都 也 还 "
    "又 很 太 怎么 怎么办 怎样 如何 为什么 为啥 什么 啥 哪 哪里 一下 一直 已经 可以 能 能不能 "
    "要 想 请问 请 谢谢 这个 那个 这 那 个 把 被 给 让 对 着 过 吧 之 其 中 上 下 里 后 "
    "会 该 应该 到底 咋 咋办 好 没有 不".split()
)

# Domain words jieba's general dictionary would split; synonym terms are added at run time.
DOMAIN_WORDS = (
    "提币 充币 提现 充值 到账 出金 入金 实名认证 身份认证 谷歌验证 谷歌验证器 验证器 防钓鱼码 "
    "资金密码 子账户 助记词 私钥 冻结 解冻 合约 永续合约 资金费率 爆仓 强平 杠杆 现货 "
    "限价单 市价单 止盈 止损 手续费 网格 跟单 理财 质押 空投 返佣 邀请码 白名单 链上 "
    "主网 公链 矿工费 区块确认 二次验证 双重验证 人工客服 工单 投诉 账户被盗 "
    "登录 登陆 验证码 短信 邮箱 地址簿 标签 备注 转账 划转 法币 币币 借币 还币"
).split()

_jieba_ready = threading.Lock()
_stemmer_local = threading.local()
logging.getLogger("jieba").setLevel(logging.WARNING)


@functools.cache
def _jieba_initialised() -> bool:
    with _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for word in DOMAIN_WORDS:
            jieba.add_word(word, freq=20000)
    return True


def dictionary() -> jieba.Tokenizer:
    """jieba's tokenizer, ready and with the domain words, for callers that weigh words."""
    _jieba_initialised()
    return jieba.dt


def add_words(words: list[str]) -> None:
    """Teach the segmenter multi-character terms (synonyms) so they stay one token."""
    _jieba_initialised()
    for word in words:
        if _HAS_CJK.search(word) and len(word) > 1:
            jieba.add_word(word, freq=20000)


def _stem(word: str) -> str:
    # Snowball stemmers keep state: one per thread.
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:
        stemmer = _stemmer_local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def normalize(text: str) -> str:
    """Full-width to ASCII, case-folded, control characters (NUL included) removed."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text)).casefold()


def has_cjk(text: str) -> bool:
    return bool(_HAS_CJK.search(text))


def latin_words(text: str) -> list[str]:
    """The unstemmed Latin words of already-normalised text, stop words removed."""
    return [w for w in _LATIN_WORD.findall(text) if w not in EN_STOPWORDS]


@functools.lru_cache(maxsize=200_000)  # a few MB; words repeat, and stemming is pure Python
def stem(word: str) -> str:
    return _stem(word) if not word.isdigit() else word


def tokens(text: str) -> list[str]:
    """Index/query tokens of `text`, in order, duplicates kept."""
    _jieba_initialised()
    text = normalize(text)
    out: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        out.extend(stem(w) for w in latin_words(text[position : match.start()]))
        out.extend(
            word
            for word in jieba.cut_for_search(match.group(), HMM=False)
            if word.strip() and word not in ZH_STOPWORDS
        )
        position = match.end()
    out.extend(stem(w) for w in latin_words(text[position:]))
    return out


def token_string(text: str) -> str:
    return " ".join(tokens(text))
