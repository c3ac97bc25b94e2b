/* test_blake3.c - BLAKE3 against independently computed outputs.
 *
 * The expected values below were produced by the reference `b3sum` tool
 * (b3sum 1.2.0, the official Rust implementation), not by our code, for the
 * official test-vector inputs: byte i of the input is i % 251. Each row holds
 * the hash, keyed_hash (key "whats the Elvish word for friend") and
 * derive_key (context "BLAKE3 2019-12-27 16:29:52 test vectors context")
 * outputs of `out_len` bytes, as produced by
 *   b3sum --no-names --length N FILE
 *   b3sum --no-names --keyed --length N FILE < key
 *   b3sum --no-names --derive-key CONTEXT --length N FILE
 * When b3sum is on PATH at test time, random inputs are also compared with it.
 */
#define _POSIX_C_SOURCE 200809L /* popen, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "blake3_int.h"

#define MAX_OUT 256

typedef struct vector {
  size_t input_len;
  size_t out_len;
  const char *hash;
  const char *keyed;
  const char *derive;
} vector;

static const char KEY[] = "whats the Elvish word for friend";
static const char CONTEXT[] = "BLAKE3 2019-12-27 16:29:52 test vectors context";

/* clang-format off */
static const vector VECTORS[] = {
    {0, 131,
     "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b7faaf09fcd333050"
     "338ddfe085b8cc869ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda"
     "7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421cce14d",
     "92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26b18171a2f22a4b94822c701f107153db"
     "a24918c4bae4d2945c20ece13387627d3b73cbf97b797d5e59948c7ef788f54372df45e45e4293c7dc18c1d41144a975"
     "8be58960856be1eabbe22c2653190de560ca3b2ac4aa692a9210694254c371e851bc8f",
     "2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d905630c8be290dfcf3e6842f13bddd57"
     "3c098c3f17361f1f206b8cad9d088aa4a3f746752c6b0ce6a83b0da81d59649257cdf8eb3e9f7d4998e41021fac119de"
     "efb896224ac99f860011f73609e6e0e4540f93b273e56547dfd3aa1a035ba6689d89a0",
    },
    {1, 131,
     "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213c3a6cb8bf623e20cdb535f8d1a5ffb86"
     "342d9c0b64aca3bce1d31f60adfa137b358ad4d79f97b47c3d5e79f179df87a3b9776ef8325f8329886ba42f07fb138b"
     "b502f4081cbcec3195c5871e6c23e2cc97d3c69a613eba131e5f1351f3f1da786545e5",
     "6d7878dfff2f485635d39013278ae14f1454b8c0a3a2d34bc1ab38228a80c95b6568c0490609413006fbd428eb3fd14e"
     "7756d90f73a4725fad147f7bf70fd61c4e0cf7074885e92b0e3f125978b4154986d4fb202a3f331a3fb6cf349a3a70e4"
     "9990f98fe4289761c8602c4e6ab1138d31d3b62218078b2f3ba9a88e1d08d0dd4cea11",
     "b3e2e340a117a499c6cf2398a19ee0d29cca2bb7404c73063382693bf66cb06c5827b91bf889b6b97c5477f535361cae"
     "fca0b5d8c4746441c57617111933158950670f9aa8a05d791daae10ac683cbef8faf897c84e6114a59d2173c3f417023"
     "a35d6983f2c7dfa57e7fc559ad751dbfb9ffab39c2ef8c4aafebc9ae973a64f0c76551",
    },
    {63, 32,
     "e9bc37a594daad83be9470df7f7b3798297c3d834ce80ba85d6e207627b7db7b",
     "bb1eb5d4afa793c1ebdd9fb08def6c36d10096986ae0cfe148cd101170ce37ae",
     "b6451e30b953c206e34644c6803724e9d2725e0893039cfc49584f991f451af3",
    },
    {64, 32,
     "4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98",
     "ba8ced36f327700d213f120b1a207a3b8c04330528586f414d09f2f7d9ccb7e6",
     "a5c4a7053fa86b64746d4bb688d06ad1f02a18fce9afd3e818fefaa7126bf73e",
    },
    {65, 32,
     "de1e5fa0be70df6d2be8fffd0e99ceaa8eb6e8c93a63f2d8d1c30ecb6b263dee",
     "c0a4edefa2d2accb9277c371ac12fcdbb52988a86edc54f0716e1591b4326e72",
     "51fd05c3c1cfbc8ed67d139ad76f5cf8236cd2acd26627a30c104dfd9d3ff8a8",
    },
    {127, 32,
     "d81293fda863f008c09e92fc382a81f5a0b4a1251cba1634016a0f86a6bd640d",
     "c64200ae7dfaf35577ac5a9521c47863fb71514a3bcad18819218b818de85818",
     "c91c090ceee3a3ac81902da31838012625bbcd73fcb92e7d7e56f78deba4f0c3",
    },
    {128, 32,
     "f17e570564b26578c33bb7f44643f539624b05df1a76c81f30acd548c44b45ef",
     "b04fe15577457267ff3b6f3c947d93be581e7e3a4b018679125eaf86f6a628ec",
     "81720f34452f58a0120a58b6b4608384b5c51d11f39ce97161a0c0e442ca0225",
    },
    {129, 32,
     "683aaae9f3c5ba37eaaf072aed0f9e30bac0865137bae68b1fde4ca2aebdcb12",
     "d4a64dae6cdccbac1e5287f54f17c5f985105457c1a2ec1878ebd4b57e20d38f",
     "938d2d4435be30eafdbb2b7031f7857c98b04881227391dc40db3c7b21f41fc1",
    },
    {1023, 32,
     "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
     "c951ecdf03288d0fcc96ee3413563d8a6d3589547f2c2fb36d9786470f1b9d6e",
     "74a16c1c3d44368a86e1ca6df64be6a2f64cce8f09220787450722d85725dea5",
    },
    {1024, 131,
     "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af71cf8107265ecdaf8505b95d8fcec83a9"
     "8a6a96ea5109d2c179c47a387ffbb404756f6eeae7883b446b70ebb144527c2075ab8ab204c0086bb22b7c93d465efc5"
     "7f8d917f0b385c6df265e77003b85102967486ed57db5c5ca170ba441427ed9afa684e",
     "75c46f6f3d9eb4f55ecaaee480db732e6c2105546f1e675003687c31719c7ba4a78bc838c72852d4f49c864acb7adafe"
     "2478e824afe51c8919d06168414c265f298a8094b1ad813a9b8614acabac321f24ce61c5a5346eb519520d38ecc43e89"
     "b5000236df0597243e4d2493fd626730e2ba17ac4d8824d09d1a4a8f57b8227778e2de",
     "7356cd7720d5b66b6d0697eb3177d9f8d73a4a5c5e968896eb6a6896843027066c23b601d3ddfb391e90d5c8eccdef4a"
     "e2a264bce9e612ba15e2bc9d654af1481b2e75dbabe615974f1070bba84d56853265a34330b4766f8e75edd1f4a16504"
     "76c10802f22b64bd3919d246ba20a17558bc51c199efdec67e80a227251808d8ce5bad",
    },
    {1025, 131,
     "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444f4c4a22b4b399155358a994e52bf255d"
     "e60035742ec71bd08ac275a1b51cc6bfe332b0ef84b409108cda080e6269ed4b3e2c3f7d722aa4cdc98d16deb554e562"
     "7be8f955c98e1d5f9565a9194cad0c4285f93700062d9595adb992ae68ff12800ab67a",
     "357dc55de0c7e382c900fd6e320acc04146be01db6a8ce7210b7189bd664ea69362396b77fdc0d2634a5529708437220"
     "66c3c15902ae5097e00ff53f1e116f1cd5352720113a837ab2452cafbde4d54085d9cf5d21ca613071551b25d52e69d6"
     "c81123872b6f19cd3bc1333edf0c52b94de23ba772cf82636cff4542540a7738d5b930",
     "effaa245f065fbf82ac186839a249707c3bddf6d3fdda22d1b95a3c970379bcb5d31013a167509e9066273ab6e2123bc"
     "835b408b067d88f96addb550d96b6852dad38e320b9d940f86db74d398c770f462118b35d2724efa13da97194491d96d"
     "d37c3c09cbef665953f2ee85ec83d88b88d11547a6f911c8217cca46defa2751e7f3ad",
    },
    {2048, 32,
     "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
     "879cf1fa2ea0e79126cb1063617a05b6ad9d0b696d0d757cf053439f60a99dd1",
     "7b2945cb4fef70885cc5d78a87bf6f6207dd901ff239201351ffac04e1088a23",
    },
    {2049, 32,
     "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030",
     "9f29700902f7c86e514ddc4df1e3049f258b2472b6dd5267f61bf13983b78dd5",
     "2ea477c5515cc3dd606512ee72bb3e0e758cfae7232826f35fb98ca1bcbdf273",
    },
    {3072, 32,
     "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2",
     "044a0e7b172a312dc02a4c9a818c036ffa2776368d7f528268d2e6b5df191770",
     "050df97f8c2ead654d9bb3ab8c9178edcd902a32f8495949feadcc1e0480c46b",
    },
    {3073, 32,
     "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3",
     "68dede9bef00ba89e43f31a6825f4cf433389fedae75c04ee9f0cf16a427c95a",
     "72613c9ec9ff7e40f8f5c173784c532ad852e827dba2bf85b2ab4b76f7079081",
    },
    {4096, 32,
     "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969",
     "befc660aea2f1718884cd8deb9902811d332f4fc4a38cf7c7300d597a081bfc0",
     "1e0d7f3db8c414c97c6307cbda6cd27ac3b030949da8e23be1a1a924ad2f25b9",
    },
    {4097, 32,
     "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995",
     "00df940cd36bb9fa7cbbc3556744e0dbc8191401afe70520ba292ee3ca80abbc",
     "aca51029626b55fda7117b42a7c211f8c6e9ba4fe5b7a8ca922f34299500ead8",
    },
    {5120, 32,
     "9cadc15fed8b5d854562b26a9536d9707cadeda9b143978f319ab34230535833",
     "2c493e48e9b9bf31e0553a22b23503c0a3388f035cece68eb438d22fa1943e20",
     "7a7acac8a02adcf3038d74cdd1d34527de8a0fcc0ee3399d1262397ce5817f60",
    },
    {5121, 32,
     "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff",
     "6ccf1c34753e7a044db80798ecd0782a8f76f33563accaddbfbb2e0ea4b2d024",
     "b07f01e518e702f7ccb44a267e9e112d403a7b3f4883a47ffbed4b48339b3c34",
    },
    {6144, 32,
     "3e2e5b74e048f3add6d21faab3f83aa44d3b2278afb83b80b3c35164ebeca205",
     "3d6b6d21281d0ade5b2b016ae4034c5dec10ca7e475f90f76eac7138e9bc8f1d",
     "2a95beae63ddce523762355cf4b9c1d8f131465780a391286a5d01abb5683a15",
    },
    {6145, 32,
     "f1323a8631446cc50536a9f705ee5cb619424d46887f3c376c695b70e0f0507f",
     "9ac301e9e39e45e3250a7e3b3df701aa0fb6889fbd80eeecf28dbc6300fbc539",
     "379bcc61d0051dd489f686c13de00d5b14c505245103dc040d9e4dd1facab8e5",
    },
    {7168, 32,
     "61da957ec2499a95d6b8023e2b0e604ec7f6b50e80a9678b89d2628e99ada77a",
     "b42835e40e9d4a7f42ad8cc04f85a963a76e18198377ed84adddeaecacc6f3fc",
     "11c37a112765370c94a51415d0d651190c288566e295d505defdad895dae2237",
    },
    {7169, 32,
     "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817",
     "ed9b1a922c046fdb3d423ae34e143b05ca1bf28b710432857bf738bcedbfa511",
     "554b0a5efea9ef183f2f9b931b7497995d9eb26f5c5c6dad2b97d62fc5ac31d9",
    },
    {8192, 32,
     "aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63",
     "dc9637c8845a770b4cbf76b8daec0eebf7dc2eac11498517f08d44c8fc00d58a",
     "ad01d7ae4ad059b0d33baa3c01319dcf8088094d0359e5fd45d6aeaa8b2d0c3d",
    },
    {8193, 131,
     "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3bb2282aa69be089359ea1154b9a9286c4"
     "a56af4de975a9aa4a5c497654914d279bea60bb6d2cf7225a2fa0ff5ef56bbe4b149f3ed15860f78b4e2ad04e158e375"
     "c1e0c0b551cd7dfc82f1b155c11b6b3ed51ec9edb30d133653bb5709d1dbd55f4e1ff6",
     "954a2a75420c8d6547e3ba5b98d963e6fa6491addc8c023189cc519821b4a1f5f03228648fd983aef045c2fa8290934b"
     "0866b615f585149587dda2299039965328835a2b18f1d63b7e300fc76ff260b571839fe44876a4eae66cbac8c6769441"
     "1ed7e09df51068a22c6e67d6d3dd2cca8ff12e3275384006c80f4db68023f24eebba57",
     "af1e0346e389b17c23200270a64aa4e1ead98c61695d917de7d5b00491c9b0f12f20a01d6d622edf3de026a4db4e4526"
     "225debb93c1237934d71c7340bb5916158cbdafe9ac3225476b6ab57a12357db3abbad7a26c6e66290e44034fb08a20a"
     "8d0ec264f309994d2810c49cfba6989d7abb095897459f5425adb48aba07c5fb3c83c0",
    },
    {16384, 32,
     "f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4",
     "9e9fc4eb7cf081ea7c47d1807790ed211bfec56aa25bb7037784c13c4b707b0d",
     "160e18b5878cd0df1c3af85eb25a0db5344d43a6fbd7a8ef4ed98d0714c3f7e1",
    },
    {31744, 32,
     "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47",
     "efa53b389ab67c593dba624d898d0f7353ab99e4ac9d42302ee64cbf9939a419",
     "39772aef80e0ebe60596361e45b061e8f417429d529171b6764468c22928e28e",
    },
    {102400, 131,
     "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085e01c59dab908c04c3342b816941a26d6"
     "9c2605ebee5ec5291cc55e15b76146e6745f0601156c3596cb75065a9c57f35585a52e1ac70f69131c23d611ce11ee4a"
     "b1ec2c009012d236648e77be9295dd0426f29b764d65de58eb7d01dd42248204f45f8e",
     "1c35d1a5811083fd7119f5d5d1ba027b4d01c0c6c49fb6ff2cf75393ea5db4a7f9dbdd3e1d81dcbca3ba241bb18760f2"
     "07710b751846faaeb9dff8262710999a59b2aa1aca298a032d94eacfadf1aa192418eb54808db23b56e34213266aa084"
     "99a16b354f018fc4967d05f8b9d2ad87a7278337be9693fc638a3bfdbe314574ee6fc4",
     "4652cff7a3f385a6103b5c260fc1593e13c778dbe608efb092fe7ee69df6e9c6d83a3e041bc3a48df2879f4a0a3ed40e"
     "7c961c73eff740f3117a0504c2dff4786d44fb17f1549eb0ba585e40ec29bf7732f0b7e286ff8acddc4cb1e23b87ff5d"
     "824a986458dcc6a04ac83969b80637562953df51ed1a7e90a7926924d2763778be8560",
    },
};
/* clang-format on */

/* splitmix64: the tests' deterministic random source. */
static uint64_t next_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint8_t *make_input(size_t len) {
  uint8_t *p = malloc(len ? len : 1);
  assert_non_null(p);
  for (size_t i = 0; i < len; i++) p[i] = (uint8_t)(i % 251);
  return p;
}

static void to_hex(const uint8_t *b, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

static void check_out(const vy_blake3 *h, size_t out_len, const char *expect_hex) {
  uint8_t out[MAX_OUT];
  char hex[2 * MAX_OUT + 1];
  assert_true(out_len <= MAX_OUT);
  assert_int_equal(strlen(expect_hex), 2 * out_len);
  vy_blake3_finalize(h, out, out_len);
  to_hex(out, out_len, hex);
  assert_string_equal(hex, expect_hex);
}

static void official_vectors(void **state) {
  (void)state;
  for (size_t v = 0; v < sizeof VECTORS / sizeof VECTORS[0]; v++) {
    const vector *t = &VECTORS[v];
    uint8_t *in = make_input(t->input_len);
    vy_blake3 h;

    vy_blake3_init(&h);
    vy_blake3_update(&h, in, t->input_len);
    check_out(&h, t->out_len, t->hash);
    /* finalize does not consume the hasher: a second call gives the same bytes,
     * and shorter outputs are prefixes of longer ones */
    check_out(&h, t->out_len, t->hash);
    uint8_t one_shot[VY_BLAKE3_OUT_LEN];
    char hex[2 * VY_BLAKE3_OUT_LEN + 1];
    vy_blake3_hash(in, t->input_len, one_shot);
    to_hex(one_shot, sizeof one_shot, hex);
    assert_memory_equal(hex, t->hash, 2 * VY_BLAKE3_OUT_LEN);

    vy_blake3_init_keyed(&h, (const uint8_t *)KEY);
    vy_blake3_update(&h, in, t->input_len);
    check_out(&h, t->out_len, t->keyed);

    vy_blake3_init_derive_key(&h, CONTEXT);
    vy_blake3_update(&h, in, t->input_len);
    check_out(&h, t->out_len, t->derive);
    free(in);
  }
}

/* Feeding the input in random pieces (including empty ones) gives the same
 * output as one update, in all three modes. */
static void streaming_splits(void **state) {
  (void)state;
  uint64_t seed = 0x5EED0001u;
  for (size_t v = 0; v < sizeof VECTORS / sizeof VECTORS[0]; v++) {
    const vector *t = &VECTORS[v];
    uint8_t *in = make_input(t->input_len);
    for (int trial = 0; trial < 4; trial++) {
      vy_blake3 h[3];
      vy_blake3_init(&h[0]);
      vy_blake3_init_keyed(&h[1], (const uint8_t *)KEY);
      vy_blake3_init_derive_key(&h[2], CONTEXT);
      size_t pos = 0;
      while (pos < t->input_len) {
        uint64_t r = next_rand(&seed);
        /* mostly small pieces around block/chunk sizes, sometimes large */
        size_t cap = (r & 3) == 0 ? 5000 : (r & 3) == 1 ? 1100 : 70;
        size_t piece = (size_t)((r >> 8) % (cap + 1));
        if (piece > t->input_len - pos) piece = t->input_len - pos;
        for (int m = 0; m < 3; m++) vy_blake3_update(&h[m], in + pos, piece);
        pos += piece;
      }
      check_out(&h[0], t->out_len, t->hash);
      check_out(&h[1], t->out_len, t->keyed);
      check_out(&h[2], t->out_len, t->derive);
    }
    free(in);
  }
}

/* After a finalize, more input may follow: the result equals hashing the
 * concatenation (checked against the vectors, whose inputs are prefixes of
 * each other). */
static void finalize_then_continue(void **state) {
  (void)state;
  uint8_t *in = make_input(102400);
  vy_blake3 h;
  vy_blake3_init(&h);
  size_t done = 0;
  for (size_t v = 0; v < sizeof VECTORS / sizeof VECTORS[0]; v++) {
    const vector *t = &VECTORS[v];
    vy_blake3_update(&h, in + done, t->input_len - done);
    done = t->input_len;
    check_out(&h, t->out_len, t->hash);
  }
  free(in);
}

/* ---- comparison with b3sum at test time ---- */

static int have_b3sum(void) {
  FILE *p = popen("command -v b3sum >/dev/null 2>&1 && echo yes", "r");
  if (!p) return 0;
  char buf[8] = {0};
  int ok = fgets(buf, sizeof buf, p) != NULL && strncmp(buf, "yes", 3) == 0;
  pclose(p);
  return ok;
}

static void write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  if (len) assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* Runs b3sum on `path` in the given mode (0 hash, 1 keyed with key file, 2
 * derive_key) and reads the hex output into `hex`. */
static void run_b3sum(int mode, const char *path, const char *key_path, size_t out_len, char *hex, size_t hex_cap) {
  char cmd[512];
  if (mode == 0)
    snprintf(cmd, sizeof cmd, "b3sum --no-names --length %zu '%s'", out_len, path);
  else if (mode == 1)
    snprintf(cmd, sizeof cmd, "b3sum --no-names --keyed --length %zu '%s' < '%s'", out_len, path, key_path);
  else
    snprintf(cmd, sizeof cmd, "b3sum --no-names --derive-key '%s' --length %zu '%s'", CONTEXT, out_len, path);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  assert_non_null(fgets(hex, (int)hex_cap, p));
  assert_int_equal(pclose(p), 0);
  hex[strcspn(hex, "\r\n")] = '\0';
}

static void random_against_b3sum(void **state) {
  (void)state;
  if (!have_b3sum()) skip();
  char dir[] = "/tmp/vy_blake3_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char data_path[64], key_path[64];
  snprintf(data_path, sizeof data_path, "%s/data", dir);
  snprintf(key_path, sizeof key_path, "%s/key", dir);

  uint64_t seed = 0xB1A4E3u;
  size_t cap = 300 * 1024;
  uint8_t *buf = malloc(cap);
  assert_non_null(buf);
  char want[2 * MAX_OUT + 8], got[2 * MAX_OUT + 1];
  for (int trial = 0; trial < 24; trial++) {
    uint64_t r = next_rand(&seed);
    /* a third of the sizes are small (block/chunk edges), the rest up to cap */
    size_t len = (size_t)(next_rand(&seed) % ((r % 3 == 0) ? 2200 : cap + 1));
    for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)next_rand(&seed);
    write_file(data_path, buf, len);
    uint8_t key[VY_BLAKE3_KEY_LEN];
    for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)next_rand(&seed);
    write_file(key_path, key, sizeof key);
    int mode = trial % 3;
    size_t out_len = 1 + (size_t)(next_rand(&seed) % MAX_OUT);

    vy_blake3 h;
    if (mode == 0) vy_blake3_init(&h);
    else if (mode == 1) vy_blake3_init_keyed(&h, key);
    else vy_blake3_init_derive_key(&h, CONTEXT);
    vy_blake3_update(&h, buf, len);
    uint8_t out[MAX_OUT];
    vy_blake3_finalize(&h, out, out_len);
    to_hex(out, out_len, got);

    run_b3sum(mode, data_path, key_path, out_len, want, sizeof want);
    assert_string_equal(got, want);
  }
  free(buf);
  unlink(data_path);
  unlink(key_path);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(official_vectors),
      cmocka_unit_test(streaming_splits),
      cmocka_unit_test(finalize_then_continue),
      cmocka_unit_test(random_against_b3sum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
