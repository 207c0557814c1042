"""GB 32100 unified social credit code: normalisation and the MOD 31 check."""
import pytest

from emergency.registry import credit_code


def test_known_valid_code():
    assert credit_code.validate("9144030071526726XG") is None
    assert credit_code.check_digit("9144030071526726X") == "G"


@pytest.mark.parametrize("raw", [
    " 9144030071526726XG ",
    "9144030071526726xg",
    "９１４４０３００７１５２６７２６ＸＧ",     # full-width digits and letters
    "9144 0300 7152 6726 XG",
    "\u3000914403007152\u30006726XG\t",       # ideographic spaces
])
def test_normalise_folds_trims_and_uppercases(raw):
    assert credit_code.normalise(raw) == "9144030071526726XG"
    assert credit_code.is_valid(raw)


@pytest.mark.parametrize("code, fragment", [
    ("", "不能为空"),
    ("9144030071526726X", "应为18位，当前为17位"),
    ("9144030071526726XH", "校验位错误（应为G）"),
    ("9144030071526726IG", "不允许的字符"),     # I is not in the alphabet
    ("91440300715267260O", "不允许的字符"),
    ("91A4030071526726XG", "不允许的字符"),     # positions 3-8 are digits
])
def test_invalid_codes_have_clear_messages(code, fragment):
    assert fragment in credit_code.validate(code)


def test_make_completes_a_valid_code():
    code = credit_code.make("91140502MA0K12345")
    assert len(code) == 18 and credit_code.validate(code) is None
