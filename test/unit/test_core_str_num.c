/* test_core_str_num.c — tests of core_num.c and core_str.c.
 *
 * Two parts:
 *   1. A table of Clojure expressions with the result real Clojure 1.11
 *      prints for each (pr-str of the value, or "!Class: message" for an
 *      exception, java.lang. dropped from the class).  The expectations
 *      were produced by running every expression through Clojure with
 *
 *        (defn run [src]
 *          (try (pr-str (eval (read-string src)))
 *               (catch Throwable e (str "!" (class-name-sans-java.lang e)
 *                                       ": " (.getMessage e)))))
 *
 *      Most calls go through `apply` so that they reach the natives (the
 *      evaluator inlines + < ... on plain calls).  Rows whose third field
 *      is not NULL are known deviations (no ratios, no bigints): the
 *      second field is grove's answer, the third Clojure's.
 *      NullPointerException messages are the JVM's own wording of where a
 *      null was dereferenced; only their class is compared.
 *      The table runs twice: normally, then with the collector running at
 *      every safe point, which catches values a native forgot to root.
 *   2. Direct calls of the natives and of the exported helpers from C,
 *      inside a process (gv_pcall), checking values and exceptions.
 *
 * Ends with "test_core_str_num: N passed, M failed"; exits non-zero on a
 * failure. */
#include "vm.h"

#include <math.h>

typedef struct tcase {
    const char *expr;
    const char *expect;
    const char *clojure; /* Clojure's differing answer for a deviation */
} tcase;

static const tcase cases[] = {
    /* arithmetic */
    {"(apply + [])", "0", NULL},
    {"(apply + [1 2 3])", "6", NULL},
    {"(apply + [1 2.5])", "3.5", NULL},
    {"(apply + [nil])", "nil", NULL},
    {"(apply + [\"a\"])", "!ClassCastException: Cannot cast java.lang.String to java.lang.Number", NULL},
    {"(apply + [1 nil])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    {"(apply + [1 \"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply + [1 :a])", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.Number is in module java.base of loader 'bootstrap')", NULL},
    {"(apply + [9223372036854775807 1])", "!ArithmeticException: long overflow", NULL},
    {"(apply +' [9223372036854775807 1])", "9.223372036854776E18", "9223372036854775808N"}, /* deviation; Clojure: 9223372036854775808N */
    {"(apply +' [1 2])", "3", NULL},
    {"(apply - [5])", "-5", NULL},
    {"(apply - [10 1 2])", "7", NULL},
    {"(apply - [-9223372036854775808])", "!ArithmeticException: long overflow", NULL},
    {"(apply -' [-9223372036854775808])", "9.223372036854776E18", "9223372036854775808N"}, /* deviation; Clojure: 9223372036854775808N */
    {"(apply - [1.5 1])", "0.5", NULL},
    {"(apply - [0.0])", "-0.0", NULL},
    {"(apply - [1.5 -9223372036854775808])", "!ArithmeticException: long overflow", NULL},
    {"(apply - [-1 -9223372036854775808])", "!ArithmeticException: long overflow", NULL},
    {"(apply unchecked-subtract [1.5 -9223372036854775808])", "-9.223372036854776E18", NULL},
    {"(apply + [\"a\" nil])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    {"(apply > [\\a :k])", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.Number is in module java.base of loader 'bootstrap')", NULL},
    {"(apply max [\\a :k])", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.Number is in module java.base of loader 'bootstrap')", NULL},
    {"(apply * [])", "1", NULL},
    {"(apply * [2 3 4])", "24", NULL},
    {"(apply * [9223372036854775807 2])", "!ArithmeticException: long overflow", NULL},
    {"(apply *' [9223372036854775807 2])", "1.8446744073709552E19", "18446744073709551614N"}, /* deviation; Clojure: 18446744073709551614N */
    {"(apply * [2 0.5])", "1.0", NULL},
    {"(apply / [6 3])", "2", NULL},
    {"(apply / [6 4])", "1.5", "3/2"}, /* deviation; Clojure: 3/2 */
    {"(apply / [2])", "0.5", "1/2"}, /* deviation; Clojure: 1/2 */
    {"(apply / [2.0])", "0.5", NULL},
    {"(apply / [1 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply / [1.0 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply / [1 0.0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply / [##NaN 0])", "##NaN", NULL},
    {"(apply / [0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply / [\"a\" 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply / [-9223372036854775808 -1])", "-9223372036854775808", NULL},
    {"(apply / [100 2 5])", "10", NULL},
    {"(apply / [1 \"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply inc [1])", "2", NULL},
    {"(apply inc [1.5])", "2.5", NULL},
    {"(apply inc [9223372036854775807])", "!ArithmeticException: long overflow", NULL},
    {"(apply inc' [9223372036854775807])", "9.223372036854776E18", "9223372036854775808N"}, /* deviation; Clojure: 9223372036854775808N */
    {"(apply dec [-9223372036854775808])", "!ArithmeticException: long overflow", NULL},
    {"(apply dec' [0])", "-1", NULL},
    {"(apply inc [nil])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    {"(apply unchecked-add [9223372036854775807 1])", "-9223372036854775808", NULL},
    {"(apply unchecked-inc [9223372036854775807])", "-9223372036854775808", NULL},
    {"(apply unchecked-negate [-9223372036854775808])", "-9223372036854775808", NULL},
    {"(apply unchecked-multiply [4611686018427387904 4])", "0", NULL},
    {"(apply quot [7 2])", "3", NULL},
    {"(apply quot [-7 2])", "-3", NULL},
    {"(apply quot [7 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply quot [7 0.0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply quot [\"a\" 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply quot [7.5 2])", "3.0", NULL},
    {"(apply quot [-7.5 2])", "-3.0", NULL},
    {"(apply quot [7 2.0])", "3.0", NULL},
    {"(apply quot [8.0 -18])", "0.0", NULL},
    {"(apply rem [8.0 -18])", "8.0", NULL},
    {"(apply quot [##Inf 2])", "!NumberFormatException: Infinite or NaN", NULL},
    {"(apply quot [1e300 3])", "3.3333333333333335E299", NULL},
    {"(apply quot [7 ##Inf])", "0.0", NULL},
    {"(apply quot [-9223372036854775808 -1])", "-9223372036854775808", NULL},
    {"(apply rem [7 2])", "1", NULL},
    {"(apply rem [-7 2])", "-1", NULL},
    {"(apply rem [5.5 2])", "1.5", NULL},
    {"(apply rem [-5.5 2])", "-1.5", NULL},
    {"(apply rem [7 2.0])", "1.0", NULL},
    {"(apply rem [##NaN 2])", "!NumberFormatException: Infinite or NaN", NULL},
    {"(apply rem [7 ##Inf])", "##NaN", NULL},
    {"(apply rem [-9223372036854775808 -1])", "0", NULL},
    {"(apply rem [1 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply mod [-7 2])", "1", NULL},
    {"(apply mod [7 -2])", "-1", NULL},
    {"(apply mod [7 2])", "1", NULL},
    {"(apply mod [-7.5 2])", "0.5", NULL},
    {"(apply mod [-7 2.0])", "1.0", NULL},
    {"(apply mod [6 -3])", "0", NULL},
    {"(apply mod [7 0])", "!ArithmeticException: Divide by zero", NULL},
    {"(apply mod [5 ##Inf])", "##NaN", NULL},
    {"(apply max [1 1.0])", "1.0", NULL},
    {"(apply max [1.0 1])", "1", NULL},
    {"(apply max [1 3 2])", "3", NULL},
    {"(apply max [1 ##NaN 2])", "##NaN", NULL},
    {"(apply max [##NaN 1])", "##NaN", NULL},
    {"(apply max [\"a\"])", "\"a\"", NULL},
    {"(apply max [\"a\" \"b\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply max [0.0 -0.0])", "-0.0", NULL},
    {"(apply min [1 1.0])", "1.0", NULL},
    {"(apply min [1 2.0 0])", "0", NULL},
    {"(apply min [1 ##NaN])", "##NaN", NULL},
    {"(apply abs [-5])", "5", NULL},
    {"(apply abs [-9223372036854775808])", "-9223372036854775808", NULL},
    {"(apply abs [-0.0])", "0.0", NULL},
    {"(apply abs [-2.5])", "2.5", NULL},
    {"(apply abs [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply abs [nil])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    /* equality and comparison */
    {"(apply = [1])", "true", NULL},
    {"(apply = [1 1 1])", "true", NULL},
    {"(apply = [1 1.0])", "false", NULL},
    {"(apply = [[1 2] '(1 2)])", "true", NULL},
    {"(apply = [\"a\" \"a\" \"b\"])", "false", NULL},
    {"(apply not= [1])", "false", NULL},
    {"(apply not= [1 2])", "true", NULL},
    {"(apply not= [1 1 1])", "false", NULL},
    {"(apply == [\"a\"])", "true", NULL},
    {"(apply == [1 \"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply == [1 1.0 1])", "true", NULL},
    {"(apply == [9007199254740993 9007199254740992.0])", "true", NULL},
    {"(apply == [##NaN ##NaN])", "false", NULL},
    {"(apply == [1 2 \"a\"])", "false", NULL},
    {"(apply < [1 2 3])", "true", NULL},
    {"(apply < [1 3 2])", "false", NULL},
    {"(apply < [2 1 \"a\"])", "false", NULL},
    {"(apply < [1 2 \"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply < [\"a\"])", "true", NULL},
    {"(apply < [1 nil])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    {"(apply < [:a 1])", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.Number (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.Number is in module java.base of loader 'bootstrap')", NULL},
    {"(apply < [1 1.5])", "true", NULL},
    {"(apply <= [1 1 2])", "true", NULL},
    {"(apply <= [1 ##NaN])", "false", NULL},
    {"(apply >= [1 ##NaN])", "false", NULL},
    {"(apply > [3 2 1])", "true", NULL},
    {"(apply > [1 ##NaN])", "false", NULL},
    {"(apply >= [2 2.0 1])", "true", NULL},
    {"(apply < [9007199254740993 9007199254740992.0])", "false", NULL},
    {"(apply compare [1 2])", "-1", NULL},
    {"(apply compare [\"a\" \"c\"])", "-2", NULL},
    {"(apply compare [1 \"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply hash [\"a\"])", "1455541201", NULL},
    {"(apply hash [1])", "1392991556", NULL},
    {"(apply hash [:a])", "-2123407586", NULL},
    /* predicates */
    {"(apply zero? [0])", "true", NULL},
    {"(apply zero? [0.0])", "true", NULL},
    {"(apply zero? [-0.0])", "true", NULL},
    {"(apply zero? [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply zero? [nil])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    {"(apply pos? [1])", "true", NULL},
    {"(apply pos? [-0.5])", "false", NULL},
    {"(apply neg? [-1])", "true", NULL},
    {"(apply neg? [0])", "false", NULL},
    {"(apply even? [2])", "true", NULL},
    {"(apply even? [-3])", "false", NULL},
    {"(apply even? [1.5])", "!IllegalArgumentException: Argument must be an integer: 1.5", NULL},
    {"(apply even? [\"a\"])", "!IllegalArgumentException: Argument must be an integer: a", NULL},
    {"(apply even? [nil])", "!IllegalArgumentException: Argument must be an integer: ", NULL},
    {"(apply odd? [3])", "true", NULL},
    {"(apply odd? [2.0])", "!IllegalArgumentException: Argument must be an integer: 2.0", NULL},
    {"(apply number? [1])", "true", NULL},
    {"(apply number? [1.5])", "true", NULL},
    {"(apply number? [\"1\"])", "false", NULL},
    {"(apply number? [\\1])", "false", NULL},
    {"(apply integer? [1])", "true", NULL},
    {"(apply integer? [1.0])", "false", NULL},
    {"(apply int? [1])", "true", NULL},
    {"(apply int? [1.0])", "false", NULL},
    {"(apply pos-int? [1])", "true", NULL},
    {"(apply pos-int? [0])", "false", NULL},
    {"(apply neg-int? [-1])", "true", NULL},
    {"(apply nat-int? [0])", "true", NULL},
    {"(apply nat-int? [-1])", "false", NULL},
    {"(apply nat-int? [1.0])", "false", NULL},
    {"(apply float? [1.0])", "true", NULL},
    {"(apply double? [1])", "false", NULL},
    {"(apply double? [1.0])", "true", NULL},
    {"(apply rational? [1])", "true", NULL},
    {"(apply ratio? [1])", "false", NULL},
    {"(apply decimal? [1.0])", "false", NULL},
    {"(apply NaN? [##NaN])", "true", NULL},
    {"(apply NaN? [1])", "false", NULL},
    {"(apply NaN? [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply infinite? [##-Inf])", "true", NULL},
    {"(apply infinite? [1.0])", "false", NULL},
    {"(apply infinite? [nil])", "!NullPointerException: Cannot invoke \"java.lang.Number.doubleValue()\" because \"x\" is null", NULL},
    /* conversions */
    {"(apply num [1])", "1", NULL},
    {"(apply num [nil])", "nil", NULL},
    {"(apply num [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply long [1.9])", "1", NULL},
    {"(apply long [-1.9])", "-1", NULL},
    {"(apply long [\\a])", "97", NULL},
    {"(apply long [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply long [nil])", "!NullPointerException: Cannot invoke \"java.lang.Number.doubleValue()\" because \"x\" is null", NULL},
    {"(apply long [1e19])", "!IllegalArgumentException: Value out of range for long: 1.0E19", NULL},
    {"(apply long [##NaN])", "0", NULL},
    {"(apply long [9.223372036854776E18])", "9223372036854775807", NULL},
    {"(apply int [\\a])", "97", NULL},
    {"(apply int [3000000000])", "!ArithmeticException: integer overflow", NULL},
    {"(apply int [3e9])", "!ArithmeticException: integer overflow", NULL},
    {"(apply int [1.9])", "1", NULL},
    {"(apply int [:k])", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.Character (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.Character is in module java.base of loader 'bootstrap')", NULL},
    {"(apply int [nil])", "!NullPointerException: Cannot invoke \"java.lang.Character.charValue()\" because \"x\" is null", NULL},
    {"(apply int [-2147483648])", "-2147483648", NULL},
    {"(apply short [200])", "200", NULL},
    {"(apply short [40000])", "!IllegalArgumentException: Value out of range for short: 40000", NULL},
    {"(apply byte [200])", "!IllegalArgumentException: Value out of range for byte: 200", NULL},
    {"(apply byte [-128])", "-128", NULL},
    {"(apply double [1])", "1.0", NULL},
    {"(apply double [\\a])", "!ClassCastException: class java.lang.Character cannot be cast to class java.lang.Number (java.lang.Character and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply double [nil])", "!NullPointerException: Cannot invoke \"java.lang.Number.doubleValue()\" because \"x\" is null", NULL},
    {"(apply float [1.5])", "1.5", NULL},
    {"(apply float [1e300])", "!IllegalArgumentException: Value out of range for float: 1.0E300", NULL},
    {"(apply char [97])", "\\a", NULL},
    {"(apply char [1.5])", "\\\x01""", NULL},
    {"(apply char [-1])", "!IllegalArgumentException: Value out of range for char: -1", NULL},
    {"(apply char [70000])", "\\𑅰", "!IllegalArgumentException: Value out of range for char: 70000"}, /* deviation; Clojure: !IllegalArgumentException: Value out of range for char: 70000 */
    {"(apply char [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(apply char [\\b])", "\\b", NULL},
    /* bits */
    {"(apply bit-and [12 10])", "8", NULL},
    {"(apply bit-and [12 10 8])", "8", NULL},
    {"(apply bit-or [12 10])", "14", NULL},
    {"(apply bit-xor [12 10])", "6", NULL},
    {"(apply bit-and-not [7 2 1])", "4", NULL},
    {"(apply bit-not [0])", "-1", NULL},
    {"(apply bit-and [1.5 1])", "!IllegalArgumentException: bit operation not supported for: class java.lang.Double", NULL},
    {"(apply bit-and [\"a\" 1])", "!IllegalArgumentException: bit operation not supported for: class java.lang.String", NULL},
    {"(apply bit-and [nil 1])", "!NullPointerException: Cannot invoke \"Object.getClass()\" because \"x\" is null", NULL},
    {"(apply bit-and [1 2.0])", "!IllegalArgumentException: bit operation not supported for: class java.lang.Double", NULL},
    {"(apply bit-shift-left [1 10])", "1024", NULL},
    {"(apply bit-shift-left [1 64])", "1", NULL},
    {"(apply bit-shift-left [1 65])", "2", NULL},
    {"(apply bit-shift-right [-8 1])", "-4", NULL},
    {"(apply bit-shift-right [1024 3])", "128", NULL},
    {"(apply unsigned-bit-shift-right [-8 1])", "9223372036854775804", NULL},
    {"(apply unsigned-bit-shift-right [-1 60])", "15", NULL},
    {"(apply bit-test [5 2])", "true", NULL},
    {"(apply bit-test [5 1])", "false", NULL},
    {"(apply bit-test [5 66])", "true", NULL},
    {"(apply bit-set [5 1])", "7", NULL},
    {"(apply bit-clear [5 2])", "1", NULL},
    {"(apply bit-flip [5 0])", "4", NULL},
    /* parsing */
    {"(apply parse-long [\"12\"])", "12", NULL},
    {"(apply parse-long [\"+12\"])", "12", NULL},
    {"(apply parse-long [\"-12\"])", "-12", NULL},
    {"(apply parse-long [\" 12\"])", "nil", NULL},
    {"(apply parse-long [\"1.0\"])", "nil", NULL},
    {"(apply parse-long [\"\"])", "nil", NULL},
    {"(apply parse-long [\"-\"])", "nil", NULL},
    {"(apply parse-long [\"9223372036854775807\"])", "9223372036854775807", NULL},
    {"(apply parse-long [\"9223372036854775808\"])", "nil", NULL},
    {"(apply parse-long [\"-9223372036854775808\"])", "-9223372036854775808", NULL},
    {"(apply parse-long [12])", "!IllegalArgumentException: Expected string, got java.lang.Long", NULL},
    {"(apply parse-long [nil])", "!IllegalArgumentException: Expected string, got nil", NULL},
    {"(apply parse-double [\"1.5\"])", "1.5", NULL},
    {"(apply parse-double [\" 1.5 \"])", "1.5", NULL},
    {"(apply parse-double [\"1.5d\"])", "1.5", NULL},
    {"(apply parse-double [\"1.\"])", "1.0", NULL},
    {"(apply parse-double [\".5\"])", "0.5", NULL},
    {"(apply parse-double [\"-1e3\"])", "-1000.0", NULL},
    {"(apply parse-double [\"Infinity\"])", "##Inf", NULL},
    {"(apply parse-double [\"-Infinity\"])", "##-Inf", NULL},
    {"(apply parse-double [\"NaN\"])", "##NaN", NULL},
    {"(apply parse-double [\"0x1p3\"])", "8.0", NULL},
    {"(apply parse-double [\"1e400\"])", "##Inf", NULL},
    {"(apply parse-double [\"inf\"])", "nil", NULL},
    {"(apply parse-double [\"1_0\"])", "nil", NULL},
    {"(apply parse-double [\".\"])", "nil", NULL},
    {"(apply parse-double [\"1e\"])", "nil", NULL},
    {"(apply parse-double [\"\"])", "nil", NULL},
    {"(apply parse-double [:a])", "!IllegalArgumentException: Expected string, got clojure.lang.Keyword", NULL},
    {"(apply parse-boolean [\"true\"])", "true", NULL},
    {"(apply parse-boolean [\"false\"])", "false", NULL},
    {"(apply parse-boolean [\"True\"])", "nil", NULL},
    {"(apply parse-boolean [1])", "!IllegalArgumentException: Expected string, got java.lang.Long", NULL},
    /* random */
    {"(let [r (rand)] (and (>= r 0) (< r 1)))", "true", NULL},
    {"(let [r (rand 10)] (and (double? r) (>= r 0) (< r 10)))", "true", NULL},
    {"(let [r (rand-int 10)] (and (int? r) (>= r 0) (< r 10)))", "true", NULL},
    {"(apply rand-int [0])", "0", NULL},
    {"(apply rand [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    /* str and names */
    {"(apply str [])", "\"\"", NULL},
    {"(apply str [nil])", "\"\"", NULL},
    {"(apply str [\"a\"])", "\"a\"", NULL},
    {"(apply str [nil 1 2.0 \"a\" \\b :k 'x/y [1 \"a\"] nil])", "\"12.0ab:kx/y[1 \\\"a\\\"]\"", NULL},
    {"(apply str [\"a\" nil \"b\"])", "\"ab\"", NULL},
    {"(apply str [(list 1 2)])", "\"(1 2)\"", NULL},
    {"(apply str [{:a 1}])", "\"{:a 1}\"", NULL},
    {"(apply str [1e21 1.0E-5 ##NaN ##Inf ##-Inf])", "\"1.0E211.0E-5NaNInfinity-Infinity\"", NULL},
    {"(apply str [true false])", "\"truefalse\"", NULL},
    {"(apply str [#\"a\\d\"])", "\"a\\\\d\"", NULL},
    {"(apply str [(map inc [1 2])])", "\"clojure.lang.LazySeq@402\"", NULL},
    {"(apply subs [\"hello\" 1])", "\"ello\"", NULL},
    {"(apply subs [\"hello\" 1 3])", "\"el\"", NULL},
    {"(apply subs [\"héllo\" 1 3])", "\"él\"", NULL},
    {"(apply subs [\"abc\" 3])", "\"\"", NULL},
    {"(apply subs [\"abc\" 0 10])", "!StringIndexOutOfBoundsException: begin 0, end 10, length 3", NULL},
    {"(apply subs [\"abc\" 2 1])", "!StringIndexOutOfBoundsException: begin 2, end 1, length 3", NULL},
    {"(apply subs [\"abc\" -1])", "!StringIndexOutOfBoundsException: begin -1, end 3, length 3", NULL},
    {"(apply subs [\"abc\" 1.5])", "\"bc\"", NULL},
    {"(apply subs [1 1])", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.String (java.lang.Long and java.lang.String are in module java.base of loader 'bootstrap')", NULL},
    {"(apply name [\"a\"])", "\"a\"", NULL},
    {"(apply name [:a/b])", "\"b\"", NULL},
    {"(apply name ['c])", "\"c\"", NULL},
    {"(apply name [1])", "!ClassCastException: class java.lang.Long cannot be cast to class clojure.lang.Named (java.lang.Long is in module java.base of loader 'bootstrap'; clojure.lang.Named is in unnamed module of loader 'app')", NULL},
    {"(apply name [nil])", "!NullPointerException: Cannot invoke \"clojure.lang.Named.getName()\" because \"x\" is null", NULL},
    {"(apply namespace [:a])", "nil", NULL},
    {"(apply namespace [:a/b])", "\"a\"", NULL},
    {"(apply namespace ['x/y])", "\"x\"", NULL},
    {"(apply namespace [\"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class clojure.lang.Named (java.lang.String is in module java.base of loader 'bootstrap'; clojure.lang.Named is in unnamed module of loader 'app')", NULL},
    {"(apply keyword [\"a\"])", ":a", NULL},
    {"(apply keyword [\"a/b\"])", ":a/b", NULL},
    {"(apply keyword [\"a\" \"b\"])", ":a/b", NULL},
    {"(apply keyword [nil \"b\"])", ":b", NULL},
    {"(apply keyword ['x/y])", ":x/y", NULL},
    {"(apply keyword [:k])", ":k", NULL},
    {"(apply keyword [1])", "nil", NULL},
    {"(apply keyword [nil])", "nil", NULL},
    {"(apply keyword [\"a\" nil])", "!NullPointerException: Cannot invoke \"String.hashCode()\" because \"this.name\" is null", NULL},
    {"(apply keyword [:a \"b\"])", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.String (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.String is in module java.base of loader 'bootstrap')", NULL},
    {"(apply keyword [\"/\"])", ":/", NULL},
    {"(apply keyword [\"a/\"])", ":a/", NULL},
    {"(name (apply keyword [\"a/\"]))", "\"\"", NULL},
    {"(namespace (apply symbol [\"/a\"]))", "\"\"", NULL},
    {"(apply str [\\a \\b \\é])", "\"abé\"", NULL},
    {"(apply max [1 \"a\"])", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Number (java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')", NULL},
    {"(namespace (apply keyword [\"a/b/c\"]))", "\"a\"", NULL},
    {"(apply symbol [\"a\"])", "a", NULL},
    {"(apply symbol [\"a/b\"])", "a/b", NULL},
    {"(apply symbol [\"a\" \"b\"])", "a/b", NULL},
    {"(apply symbol [:a/b])", "a/b", NULL},
    {"(apply symbol [1])", "!IllegalArgumentException: no conversion to symbol", NULL},
    {"(apply symbol [nil \"b\"])", "b", NULL},
    {"(apply symbol ['x])", "x", NULL},
    {"(apply symbol [#'clojure.core/map])", "clojure.core/map", NULL},
    {"(apply symbol [\"/\"])", "/", NULL},
    {"(apply string? [\"a\"])", "true", NULL},
    {"(apply string? [\\a])", "false", NULL},
    {"(apply char? [\\a])", "true", NULL},
    {"(apply keyword? [:a])", "true", NULL},
    {"(apply symbol? ['a])", "true", NULL},
    {"(apply ident? [:a])", "true", NULL},
    {"(apply ident? [\"a\"])", "false", NULL},
    {"(apply simple-keyword? [:a])", "true", NULL},
    {"(apply simple-keyword? [:a/b])", "false", NULL},
    {"(apply qualified-keyword? [:a/b])", "true", NULL},
    {"(apply simple-symbol? ['a])", "true", NULL},
    {"(apply qualified-symbol? ['a/b])", "true", NULL},
    {"(apply qualified-symbol? [:a/b])", "false", NULL},
    {"(apply simple-ident? ['a])", "true", NULL},
    {"(apply qualified-ident? [:a/b])", "true", NULL},
    {"char-escape-string", "{\\newline \"\\\\n\", \\tab \"\\\\t\", \\return \"\\\\r\", \\\" \"\\\\\\\"\", \\\\ \"\\\\\\\\\", \\formfeed \"\\\\f\", \\backspace \"\\\\b\"}", NULL},
    {"char-name-string", "{\\newline \"newline\", \\tab \"tab\", \\space \"space\", \\backspace \"backspace\", \\formfeed \"formfeed\", \\return \"return\"}", NULL},
    {"(char-escape-string \\newline)", "\"\\\\n\"", NULL},
    /* format */
    {"(format \"%s %d %5.2f|%-5s|%05d|%,d|%x|%X|%o|%e|%g|%c|%b|%n|%%\" \"x\" 3 3.14159 \"ab\" 42 1234567 255 255 8 12345.678 0.0001234 \\z nil)", "\"x 3  3.14|ab   |00042|1,234,567|ff|FF|10|1.234568e+04|0.000123400|z|false|\\n|%\"", NULL},
    {"(format \"%d\" \"a\")", "!java.util.IllegalFormatConversionException: d != java.lang.String", NULL},
    {"(format \"%d\" 1.5)", "!java.util.IllegalFormatConversionException: d != java.lang.Double", NULL},
    {"(format \"%s\")", "!java.util.MissingFormatArgumentException: Format specifier '%s'", NULL},
    {"(format \"%q\" 1)", "!java.util.UnknownFormatConversionException: Conversion = 'q'", NULL},
    {"(format \"%s %s\" [1 \"a\"] nil)", "\"[1 \\\"a\\\"] null\"", NULL},
    {"(format \"%.3s|%10.3f|%-10d|%+d|% d|%(d|%#x|%08.3f\" \"abcdef\" 3.14159 5 5 5 -5 255 -3.14159)", "\"abc|     3.142|5         |+5| 5|(5)|0xff|-003.142\"", NULL},
    {"(format \"%e\" 0.0)", "\"0.000000e+00\"", NULL},
    {"(format \"%g\" 100000.0)", "\"100000\"", NULL},
    {"(format \"%g\" 1e-5)", "\"1.00000e-05\"", NULL},
    {"(format \"%.0f|%.1f|%f\" 2.5 0.05 1e20)", "\"3|0.1|100000000000000000000.000000\"", NULL},
    {"(format \"%c\" 97)", "!java.util.IllegalFormatConversionException: c != java.lang.Long", NULL},
    {"(format \"%b %b %b\" false \"x\" nil)", "\"false true false\"", NULL},
    {"(format \"%x\" -1)", "\"ffffffffffffffff\"", NULL},
    {"(format \"%o\" -8)", "\"1777777777777777777770\"", NULL},
    {"(format \"%d\" \\a)", "!java.util.IllegalFormatConversionException: d != java.lang.Character", NULL},
    {"(format \"%f\" 1)", "!java.util.IllegalFormatConversionException: f != java.lang.Long", NULL},
    {"(format \"%2$s %1$s\" \"a\" \"b\")", "\"b a\"", NULL},
    {"(format \"%S\" \"abc\")", "\"ABC\"", NULL},
    {"(format \"%-5d|\" -3)", "\"-3   |\"", NULL},
    {"(format \"%,.2f\" 1234567.891)", "\"1,234,567.89\"", NULL},
    {"(format \"%h\" \"hi\")", "\"d01\"", NULL},
    {"(format \"%s\" 1.0)", "\"1.0\"", NULL},
    {"(format \"%5%\")", "\"    %\"", NULL},
    {"(format \"%-d\" 5)", "!java.util.MissingFormatWidthException: %-d", NULL},
    {"(format \"%e\" 123456789.0)", "\"1.234568e+08\"", NULL},
    {"(format \"%.2e\" 0.000123456)", "\"1.23e-04\"", NULL},
    {"(format \"%g\" 0.0)", "\"0.00000\"", NULL},
    {"(format \"%g\" 123.0)", "\"123.000\"", NULL},
    {"(format \"%.3g\" 1234567.0)", "\"1.23e+06\"", NULL},
    {"(format \"%10.4e|\" -1.5)", "\"-1.5000e+00|\"", NULL},
    {"(format \"%f\" ##NaN)", "\"NaN\"", NULL},
    {"(format \"%08.2f\" ##Inf)", "\"Infinity\"", NULL},
    {"(format \"%+f\" ##Inf)", "\"+Infinity\"", NULL},
    {"(format \"%d%%\" 5)", "\"5%\"", NULL},
    {"(format \"%c\" \"a\")", "!java.util.IllegalFormatConversionException: c != java.lang.String", NULL},
    {"(format \"%<s %s\" \"a\")", "!java.util.MissingFormatArgumentException: Format specifier '%<s'", NULL},
    {"(format \"%s %<s\" \"a\")", "\"a a\"", NULL},
    {"(format nil)", "!NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null", NULL},
    {"(format \"%\")", "!java.util.UnknownFormatConversionException: Conversion = '%'", NULL},
    {"(format \"%5\")", "!java.util.UnknownFormatConversionException: Conversion = '5'", NULL},
    {"(format \"%5.1s|%-6b|%3c|%S\" \"xyz\" true \\a nil)", "\"    x|true  |  a|NULL\"", NULL},
    {"(format \"%.2d\" 5)", "!java.util.IllegalFormatPrecisionException: 2", NULL},
    {"(format \"%,d\" -1234567)", "\"-1,234,567\"", NULL},
    {"(format \"%(,.2f\" -1234.5)", "\"(1,234.50)\"", NULL},
    {"(format \"%+.1e\" 12345.0)", "\"+1.2e+04\"", NULL},
    {"(format \"%010.3e\" -0.000123)", "\"-1.230e-04\"", NULL},
    {"(format \"%.15f\" 0.1)", "\"0.100000000000000\"", NULL},
    {"(format \"%.2f\" 0.125)", "\"0.13\"", NULL},
    {"(format \"%.1f\" 0.15)", "\"0.2\"", NULL},
    {"(format \"%.3f\" 0.0005)", "\"0.001\"", NULL},
    {"(format \"%.0f\" 0.5)", "\"1\"", NULL},
    {"(format \"%.0e\" 5.5)", "\"6e+00\"", NULL},
    {"(format \"%.1f\" 9.96)", "\"10.0\"", NULL},
    {"(format \"%f\" -0.0)", "\"-0.000000\"", NULL},
    {"(format \"%g\" 1e-4)", "\"0.000100000\"", NULL},
    {"(format \"%g\" 9.999995e-5)", "\"0.000100000\"", NULL},
    {"(format \"%g\" 999999.5)", "\"1.00000e+06\"", NULL},
    {"(format \"%.0g\" 5.0)", "\"5\"", NULL},
    {"(format \"%G\" 1e10)", "\"1.00000E+10\"", NULL},
    {"(format \"%e\" 1e-300)", "\"1.000000e-300\"", NULL},
    {"(format \"%E\" 1e300)", "\"1.000000E+300\"", NULL},
    {"(format \"%#o %#X\" 8 255)", "\"010 0XFF\"", NULL},
    {"(format \"%+x\" 5)", "!java.util.FormatFlagsConversionMismatchException: Conversion = x, Flags = +", NULL},
    {"(format \"%05s\" \"a\")", "!java.util.FormatFlagsConversionMismatchException: Conversion = s, Flags = 0", NULL},
    {"(format \"%d\" nil)", "\"null\"", NULL},
    {"(format \"%x\" nil)", "\"null\"", NULL},
    {"(format \"%f\" nil)", "\"null\"", NULL},
    {"(format \"%c\" nil)", "\"null\"", NULL},
    {"(format \"%3$s\" 1 2)", "!java.util.MissingFormatArgumentException: Format specifier '%3$s'", NULL},
    {"(format \"%0$s\" 1 2)", "!java.util.IllegalFormatArgumentIndexException: Illegal format argument index = 0", NULL},
    {"(format \"%s\" 1 2 3)", "\"1\"", NULL},
    {"(format \"%1$s %s %s\" \"a\" \"b\")", "\"a a b\"", NULL},
    {"(format \"%-08d\" 5)", "!java.util.IllegalFormatFlagsException: Flags = '-0'", NULL},
    {"(format \"%+ d\" 5)", "!java.util.IllegalFormatFlagsException: Flags = '+ '", NULL},
    {"(format \"%h\" 12)", "\"c\"", NULL},
    {"(format \"%h\" nil)", "\"null\"", NULL},
    {"(format \"%h\" 1.5)", "\"3ff80000\"", NULL},
    {"(format \"%h\" :a)", "\"3c6f0c29\"", NULL},
    {"(format \"%h\" 'a/b)", "\"9e3792d0\"", NULL},
    {"(format \"%d\" true)", "!java.util.IllegalFormatConversionException: d != java.lang.Boolean", NULL},
    {"(format 12)", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.String (java.lang.Long and java.lang.String are in module java.base of loader 'bootstrap')", NULL},
    {"(format \"%a\" 1.0)", "\"0x1.0p0\"", NULL},
    {"(format \"%a\" -3.0)", "\"-0x1.8p1\"", NULL},
    {"(format \"%A\" 0.1)", "\"0X1.999999999999AP-4\"", NULL},
    {"(format \"%a\" 0.0)", "\"0x0.0p0\"", NULL},
    {"(format \"%,d\" 12)", "\"12\"", NULL},
    {"(format \"% ,d\" 1234)", "\" 1,234\"", NULL},
    {"(format \"%,010d\" 1234)", "\"000001,234\"", NULL},
    {"(format \"%e\" 0.1)", "\"1.000000e-01\"", NULL},
    {"(format \"%.20e\" 0.1)", "\"1.00000000000000000000e-01\"", NULL},
    {"(format \"%b\" 0)", "\"true\"", NULL},
    {"(format \"%10.4s|\" \"abcdefg\")", "\"      abcd|\"", NULL},
    {"(format \"%-10s|\" :kw)", "\":kw       |\"", NULL},
    {"(format \"%s\" 'sym)", "\"sym\"", NULL},
    {"(format \"%s\" [nil])", "\"[nil]\"", NULL},
    {"(format \"%.3f\" 1e-10)", "\"0.000\"", NULL},
    {"(format \"%,f\" 1234567.0)", "\"1,234,567.000000\"", NULL},
    {"(format \"%.0f\" 1e22)", "\"10000000000000000000000\"", NULL},
    {"(format \"%f\" 123456789012345678.0)", "\"123456789012345680.000000\"", NULL},
    {"(format \"%.3g\" 0.0001234)", "\"0.000123\"", NULL},
    {"(format \"%g\" 123456.0)", "\"123456\"", NULL},
    {"(format \"%g\" 1234567.0)", "\"1.23457e+06\"", NULL},
    {"(format \"%-5c|\" \\a)", "\"a    |\"", NULL},
    {"(format \"%05.1f\" 2.35)", "\"002.4\"", NULL},
    {"(format \"%.1f\" 2.25)", "\"2.3\"", NULL},
    {"(format \"%.2f\" 1.005)", "\"1.01\"", NULL},
    {"(format \"%#.0f\" 3.0)", "\"3.\"", NULL},
    {"(format \"%d %s\" 1)", "!java.util.MissingFormatArgumentException: Format specifier '%s'", NULL},
    {"(format \"%s\" \"héllo\")", "\"héllo\"", NULL},
    {"(format \"%-3s|\" \"é\")", "\"é  |\"", NULL},
    {"(format \"%.1s\" \"éa\")", "\"é\"", NULL},
    {"(format \"abc\")", "\"abc\"", NULL},
    {"(format \"%n\" )", "\"\\n\"", NULL},
    {"(format \"%5n\")", "!java.util.IllegalFormatWidthException: 5", NULL},
    {"(format \"%.2%\")", "!java.util.IllegalFormatPrecisionException: 2", NULL},
    {"(format \"%#d\" 1)", "!java.util.FormatFlagsConversionMismatchException: Conversion = d, Flags = #", NULL},
    {"(format \"%,x\" 1)", "!java.util.FormatFlagsConversionMismatchException: Conversion = x, Flags = ,", NULL},
    {"(format \"%(x\" 1)", "!java.util.FormatFlagsConversionMismatchException: Conversion = x, Flags = (", NULL},
    {"(format \"%-5%|\")", "\"%    |\"", NULL},
    {"(format \"%s\" (lazy-seq [1 2]))", "\"clojure.lang.LazySeq@3e2\"", NULL},
    {"(format \"%D\" 1)", "!java.util.UnknownFormatConversionException: Conversion = 'D'", NULL},
    {"(format \"%+-X\" 0)", "!java.util.MissingFormatWidthException: %-+X", NULL},
    {"(format \"%0-.2E\" 1.0)", "!java.util.MissingFormatWidthException: %-0.2E", NULL},
    {"(format \"%+ 8G\" 1.0)", "!java.util.IllegalFormatFlagsException: Flags = '^+ '", NULL},
    {"(format \"%,+25X\" 1)", "!java.util.FormatFlagsConversionMismatchException: Conversion = x, Flags = ,", NULL},
    {"(format \"%.17f\" -2.044609931541681e+17)", "\"-204460993154168096.00000000000000000\"", NULL},
    {"(format \"%8.17g\" -3.893906584582965e+16)", "\"-38939065845829648\"", NULL},
    {"(format \"%.3e\" 1.0E23)", "\"1.000e+23\"", NULL},
    {"(format \"%f\" 2.82879384806159E17)", "\"282879384806159008.000000\"", NULL},
    /* regex */
    {"(re-find #\"(a)(x)?\" \"ab\")", "[\"a\" \"a\" nil]", NULL},
    {"(re-find #\"a\" \"ab\")", "\"a\"", NULL},
    {"(re-find #\"z\" \"ab\")", "nil", NULL},
    {"(re-find #\"\\d+\" \"ab123cd45\")", "\"123\"", NULL},
    {"(re-matches #\"a\" \"ab\")", "nil", NULL},
    {"(re-matches #\"(a)b\" \"ab\")", "[\"ab\" \"a\"]", NULL},
    {"(re-matches #\"a.*\" \"ab\")", "\"ab\"", NULL},
    {"(re-matches #\"a|ab\" \"ab\")", "\"ab\"", NULL},
    {"(re-seq #\"\\d\" \"a1b2\")", "(\"1\" \"2\")", NULL},
    {"(re-seq #\"(\\d)(x)?\" \"a1b2\")", "([\"1\" \"1\" nil] [\"2\" \"2\" nil])", NULL},
    {"(re-seq #\"z\" \"ab\")", "nil", NULL},
    {"(re-seq #\"\" \"ab\")", "(\"\" \"\" \"\")", NULL},
    {"(re-seq #\"a*\" \"baa\")", "(\"\" \"aa\" \"\")", NULL},
    {"(re-seq #\"|a\" \"a\")", "(\"\" \"\")", NULL},
    {"(re-seq #\".\" \"héllo\")", "(\"h\" \"é\" \"l\" \"l\" \"o\")", NULL},
    {"(re-seq #\"\\w+\" \"the quick  brown\")", "(\"the\" \"quick\" \"brown\")", NULL},
    {"(re-pattern \"a+\")", "#\"a+\"", NULL},
    {"(re-pattern #\"a+\")", "#\"a+\"", NULL},
    {"(re-pattern \"(\")", "!java.util.regex.PatternSyntaxException: Unclosed group near index 1\n(", NULL},
    {"(re-pattern 1)", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.String (java.lang.Long and java.lang.String are in module java.base of loader 'bootstrap')", NULL},
    {"(re-pattern nil)", "!NullPointerException: Cannot invoke \"String.isEmpty()\" because \"this.pattern\" is null", NULL},
    {"(re-pattern \"*a\")", "!java.util.regex.PatternSyntaxException: Dangling meta character '*' near index 0\n*a\n^", NULL},
    {"(re-pattern \"[a\")", "!java.util.regex.PatternSyntaxException: Unclosed character class near index 1\n[a\n ^", NULL},
    {"(re-pattern \"x**\")", "!java.util.regex.PatternSyntaxException: Dangling meta character '*' near index 2\nx**\n  ^", NULL},
    {"(re-find #\"\\0101\" \"A\")", "\"A\"", NULL},
    {"(re-find #\"[\\0101]\" \"A\")", "\"A\"", NULL},
    {"(re-find #\"\\Q(\\E\" \"a(\")", "\"(\"", NULL},
    {"(re-find #\"\\p{IsAlphabetic}+\" \"12héllo\")", "\"héllo\"", NULL},
    {"(re-find #\"\\p{javaLowerCase}+\" \"ABéb12C\")", "\"éb\"", NULL},
    {"(re-find #\"a\" nil)", "!NullPointerException: Cannot invoke \"java.lang.CharSequence.length()\" because \"this.text\" is null", NULL},
    {"(re-find #\"a\" 1)", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.CharSequence (java.lang.Long and java.lang.CharSequence are in module java.base of loader 'bootstrap')", NULL},
    {"(re-find \"a\" \"a\")", "!ClassCastException: class java.lang.String cannot be cast to class java.util.regex.Pattern (java.lang.String and java.util.regex.Pattern are in module java.base of loader 'bootstrap')", NULL},
    {"(re-find #\"(?i)AB\" \"xaby\")", "\"ab\"", NULL},
    {"(re-find #\"\\p{L}+\" \"héllo1\")", "\"héllo\"", NULL},
    {"(re-find #\"é.\" \"héllo\")", "\"él\"", NULL},
    {"(re-find #\"\\p{Alpha}+\" \"12abc3\")", "\"abc\"", NULL},
    {"(re-find #\"[\\p{Digit}x]+\" \"ab1x2c\")", "\"1x2\"", NULL},
    {"(re-find #\"\\P{Alpha}+\" \"ab12c\")", "\"12\"", NULL},
    {"(re-find #\"\\u00e9\" \"café\")", "\"é\"", NULL},
    {"(re-find #\"\\Qa.b\\E\" \"xa.by\")", "\"a.b\"", NULL},
    {"(re-find #\"a.b\" \"a\\nb\")", "nil", NULL},
    {"(re-find #\"a.b\" \"a\\rb\")", "nil", NULL},
    {"(re-find #\"(?s)a.b\" \"a\\nb\")", "\"a\\nb\"", NULL},
    {"(re-find #\"^b\" \"a\\nb\")", "nil", NULL},
    {"(re-find #\"(?m)^b\" \"a\\nb\")", "\"b\"", NULL},
    {"(re-find #\"a$\" \"a\\n\")", "\"a\"", NULL},
    {"(re-find #\"(?<num>\\d+)\" \"ab12\")", "[\"12\" \"12\"]", NULL},
    {"(re-find #\"(a)|(b)\" \"b\")", "[\"b\" nil \"b\"]", NULL},
    {"(re-find #\"(?u)a\" \"a\")", "\"a\"", NULL},
    {"(re-find #\"(?:a)(b)\" \"ab\")", "[\"ab\" \"b\"]", NULL},
    {"(str (re-pattern \"a\\\\d\"))", "\"a\\\\d\"", NULL},
    {"(re-matches #\"[a-c]+\" \"abcd\")", "nil", NULL},
    {"(re-seq #\"(?<=a)b\" \"abcb\")", "(\"b\")", NULL},
    /* clojure.string */
    {"(clojure.string/join [1 nil \"a\" :b])", "\"1a:b\"", NULL},
    {"(clojure.string/join \", \" [1 2 3])", "\"1, 2, 3\"", NULL},
    {"(clojure.string/join \\, [1 2 3])", "\"1,2,3\"", NULL},
    {"(clojure.string/join nil [1 2])", "\"12\"", NULL},
    {"(clojure.string/join \", \" nil)", "\"\"", NULL},
    {"(clojure.string/join \", \" \"abc\")", "\"a, b, c\"", NULL},
    {"(clojure.string/join \", \" {:a 1})", "\"[:a 1]\"", NULL},
    {"(clojure.string/join 1)", "!IllegalArgumentException: Don't know how to create ISeq from: java.lang.Long", NULL},
    {"(clojure.string/join \", \" 5)", "!IllegalArgumentException: Don't know how to create ISeq from: java.lang.Long", NULL},
    {"(clojure.string/join \",\" (range 3))", "\"0,1,2\"", NULL},
    {"(clojure.string/join \",\")", "\",\"", NULL},
    {"(clojure.string/join \"-\" (map inc [1 2 3]))", "\"2-3-4\"", NULL},
    {"(clojure.string/join \",\" [[1 2] nil \"x\"])", "\"[1 2],,x\"", NULL},
    {"(clojure.string/join \",\" (list (lazy-seq [1])))", "\"clojure.lang.LazySeq@20\"", NULL},
    {"(clojure.string/split \"a,b,,c,,\" #\",\")", "[\"a\" \"b\" \"\" \"c\"]", NULL},
    {"(clojure.string/split \"a,b,,c,,\" #\",\" -1)", "[\"a\" \"b\" \"\" \"c\" \"\" \"\"]", NULL},
    {"(clojure.string/split \"a,b,,c,,\" #\",\" 2)", "[\"a\" \"b,,c,,\"]", NULL},
    {"(clojure.string/split \"a,b,c\" #\",\" 1)", "[\"a,b,c\"]", NULL},
    {"(clojure.string/split \"\" #\",\")", "[\"\"]", NULL},
    {"(clojure.string/split \"abc\" #\"\")", "[\"a\" \"b\" \"c\"]", NULL},
    {"(clojure.string/split \",a\" #\",\")", "[\"\" \"a\"]", NULL},
    {"(clojure.string/split \" a  b \" #\"\\s+\")", "[\"\" \"a\" \"b\"]", NULL},
    {"(clojure.string/split \"a1b2c3\" #\"\\d\" 0)", "[\"a\" \"b\" \"c\"]", NULL},
    {"(clojure.string/split \"abc\" \",\")", "!ClassCastException: class java.lang.String cannot be cast to class java.util.regex.Pattern (java.lang.String and java.util.regex.Pattern are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/split \"a b\" #\" \" -2)", "[\"a\" \"b\"]", NULL},
    {"(clojure.string/split \",,,\" #\",\")", "[]", NULL},
    {"(clojure.string/split \"héllo wörld\" #\" \")", "[\"héllo\" \"wörld\"]", NULL},
    {"(clojure.string/split \"abc\" #\"\" 2)", "[\"a\" \"bc\"]", NULL},
    {"(clojure.string/split nil #\",\")", "!NullPointerException: Cannot invoke \"java.lang.CharSequence.length()\" because \"this.text\" is null", NULL},
    {"(clojure.string/split-lines \"a\\nb\\r\\nc\\n\\n\")", "[\"a\" \"b\" \"c\"]", NULL},
    {"(clojure.string/split-lines \"\\n\")", "[]", NULL},
    {"(clojure.string/split-lines \"a\\r\\r\\nb\")", "[\"a\\r\" \"b\"]", NULL},
    {"(clojure.string/split-lines \"\")", "[\"\"]", NULL},
    {"(clojure.string/split-lines \"abc\")", "[\"abc\"]", NULL},
    {"(clojure.string/upper-case \"abc é\")", "\"ABC É\"", NULL},
    {"(clojure.string/upper-case \"straße ÿ µ ǆ\")", "\"STRASSE Ÿ Μ Ǆ\"", NULL},
    {"(clojure.string/lower-case \"ABC É İ\")", "\"abc é i̇\"", NULL},
    {"(clojure.string/lower-case \"ΑΒΓ АБВ Ǆ\")", "\"αβγ абв ǆ\"", NULL},
    {"(clojure.string/upper-case nil)", "!NullPointerException: Cannot invoke \"Object.toString()\" because \"s\" is null", NULL},
    {"(clojure.string/upper-case 1)", "\"1\"", NULL},
    {"(clojure.string/capitalize \"hELLO\")", "\"Hello\"", NULL},
    {"(clojure.string/capitalize \"\")", "\"\"", NULL},
    {"(clojure.string/capitalize \"a\")", "\"A\"", NULL},
    {"(clojure.string/capitalize \"éa\")", "\"Éa\"", NULL},
    {"(clojure.string/capitalize 12)", "\"12\"", NULL},
    {"(clojure.string/trim \"  a b \\t\\n\")", "\"a b\"", NULL},
    {"(clojure.string/trim \"\\u00a0a\\u2003\")", "\" a\"", NULL},
    {"(clojure.string/trim \"\")", "\"\"", NULL},
    {"(clojure.string/trim \"   \")", "\"\"", NULL},
    {"(clojure.string/triml \"  a \")", "\"a \"", NULL},
    {"(clojure.string/trimr \"  a \")", "\"  a\"", NULL},
    {"(clojure.string/trim 1)", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.CharSequence (java.lang.Long and java.lang.CharSequence are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/trim nil)", "!NullPointerException: Cannot invoke \"java.lang.CharSequence.length()\" because \"s\" is null", NULL},
    {"(clojure.string/trim-newline \"a\\n\\r\\n\")", "\"a\"", NULL},
    {"(clojure.string/trim-newline \"a\\nb\")", "\"a\\nb\"", NULL},
    {"(clojure.string/blank? nil)", "true", NULL},
    {"(clojure.string/blank? \"\")", "true", NULL},
    {"(clojure.string/blank? \" \\t\")", "true", NULL},
    {"(clojure.string/blank? \" a\")", "false", NULL},
    {"(clojure.string/blank? \"\\u2003\")", "true", NULL},
    {"(clojure.string/blank? 1)", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.CharSequence (java.lang.Long and java.lang.CharSequence are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/replace \"aXbXc\" \"X\" \"$1\")", "\"a$1b$1c\"", NULL},
    {"(clojure.string/replace \"abc\" \\b \\B)", "\"aBc\"", NULL},
    {"(clojure.string/replace \"a1b22\" #\"\\d+\" \"<$0>\")", "\"a<1>b<22>\"", NULL},
    {"(clojure.string/replace \"a1b22\" #\"(\\d)(\\d)?\" \"[$1|$2]\")", "\"a[1|]b[2|2]\"", NULL},
    {"(clojure.string/replace \"a1b22\" #\"\\d\" (fn [m] (str (inc (parse-long m)))))", "\"a2b33\"", NULL},
    {"(clojure.string/replace \"a1b22\" #\"(\\d)\" (fn [m] (pr-str m)))", "\"a[\\\"1\\\" \\\"1\\\"]b[\\\"2\\\" \\\"2\\\"][\\\"2\\\" \\\"2\\\"]\"", NULL},
    {"(clojure.string/replace \"abc\" #\"\" \"-\")", "\"-a-b-c-\"", NULL},
    {"(clojure.string/replace \"a.b\" \".\" \"\\\\$\")", "\"a\\\\$b\"", NULL},
    {"(clojure.string/replace \"a1\" #\"\\d\" \"\\\\$\")", "\"a$\"", NULL},
    {"(clojure.string/replace \"a1\" #\"\\d\" \"$\")", "!IllegalArgumentException: Illegal group reference: group index is missing", NULL},
    {"(clojure.string/replace \"a1\" #\"\\d\" \"$2\")", "!IndexOutOfBoundsException: No group 2", NULL},
    {"(clojure.string/replace \"a1\" #\"\\d\" \"x\\\\\")", "!IllegalArgumentException: character to be escaped is missing", NULL},
    {"(clojure.string/replace \"a1b\" #\"(\\d)\" \"$11\")", "\"a11b\"", NULL},
    {"(clojure.string/replace \"a1b\" #\"(\\d)\" \"$10\")", "\"a10b\"", NULL},
    {"(clojure.string/replace \"a1b\" #\"(?<d>\\d)\" \"<${d}>\")", "\"a<1>b\"", NULL},
    {"(clojure.string/replace \"a1b\" #\"(\\d)\" \"$x\")", "!IllegalArgumentException: Illegal group reference", NULL},
    {"(clojure.string/replace \"a1b\" #\"(\\d)\" \"${zz}\")", "!IllegalArgumentException: No group with name {zz}", NULL},
    {"(clojure.string/replace \"a\" #\"a\" (fn [_] 1))", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.String (java.lang.Long and java.lang.String are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/replace \"a\" #\"a\" (fn [_] nil))", "!NullPointerException: Cannot invoke \"String.indexOf(int)\" because \"s\" is null", NULL},
    {"(clojure.string/replace \"ab\" 1 \"x\")", "!IllegalArgumentException: Invalid match arg: 1", NULL},
    {"(clojure.string/replace \"ab\" nil \"x\")", "!IllegalArgumentException: Invalid match arg: ", NULL},
    {"(clojure.string/replace 12 \"1\" \"x\")", "\"x2\"", NULL},
    {"(clojure.string/replace \"aaa\" \"aa\" \"b\")", "\"ba\"", NULL},
    {"(clojure.string/replace \"abc\" \"\" \"-\")", "\"-a-b-c-\"", NULL},
    {"(clojure.string/replace \"a\" \\a \"b\")", "!ClassCastException: class java.lang.String cannot be cast to class java.lang.Character (java.lang.String and java.lang.Character are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/replace \"a\" \"a\" \\b)", "!ClassCastException: class java.lang.Character cannot be cast to class java.lang.CharSequence (java.lang.Character and java.lang.CharSequence are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/replace \"xyz\" #\"q\" \"$9\")", "\"xyz\"", NULL},
    {"(clojure.string/replace \"héllo\" \"é\" \"e\")", "\"hello\"", NULL},
    {"(clojure.string/replace \"Almost Pig Latin\" #\"\\b(\\w)(\\w+)\\b\" \"$2$1ay\")", "\"lmostAay igPay atinLay\"", NULL},
    {"(clojure.string/replace-first \"aXbXc\" \"X\" \"Y\")", "\"aYbXc\"", NULL},
    {"(clojure.string/replace-first \"a1b2\" #\"\\d\" \"<$0>\")", "\"a<1>b2\"", NULL},
    {"(clojure.string/replace-first \"a1b2\" #\"\\d\" (fn [m] \"!\"))", "\"a!b2\"", NULL},
    {"(clojure.string/replace-first \"abc\" \\b \\B)", "\"aBc\"", NULL},
    {"(clojure.string/replace-first \"abc\" \\b 1)", "\"a1c\"", NULL},
    {"(clojure.string/replace-first \"abc\" \\b nil)", "\"ac\"", NULL},
    {"(clojure.string/replace-first \"abc\" \"b\" 1)", "\"a1c\"", NULL},
    {"(clojure.string/replace-first \"abc\" \\z \"y\")", "\"abc\"", NULL},
    {"(clojure.string/replace-first \"swap first two words\" #\"(\\w+)(\\s+)(\\w+)\" \"$3$2$1\")", "\"first swap two words\"", NULL},
    {"(clojure.string/re-quote-replacement \"a$b\\\\c\")", "\"a\\\\$b\\\\\\\\c\"", NULL},
    {"(clojure.string/replace \"a1\" #\"\\d\" (clojure.string/re-quote-replacement \"$0\"))", "\"a$0\"", NULL},
    {"(clojure.string/includes? \"abc\" \"bc\")", "true", NULL},
    {"(clojure.string/includes? \"abc\" \"x\")", "false", NULL},
    {"(clojure.string/includes? \"abc\" nil)", "!NullPointerException: Cannot invoke \"java.lang.CharSequence.toString()\" because \"s\" is null", NULL},
    {"(clojure.string/includes? 1 \"1\")", "true", NULL},
    {"(clojure.string/starts-with? \"abc\" \"ab\")", "true", NULL},
    {"(clojure.string/starts-with? \"abc\" \\a)", "!ClassCastException: class java.lang.Character cannot be cast to class java.lang.String (java.lang.Character and java.lang.String are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/starts-with? \"abc\" nil)", "!NullPointerException: Cannot invoke \"String.length()\" because \"prefix\" is null", NULL},
    {"(clojure.string/ends-with? \"abc\" \"bc\")", "true", NULL},
    {"(clojure.string/ends-with? 123 \"3\")", "true", NULL},
    {"(clojure.string/index-of \"abcb\" \"b\")", "1", NULL},
    {"(clojure.string/index-of \"abcb\" \\b 2)", "3", NULL},
    {"(clojure.string/index-of \"abcb\" \"z\")", "nil", NULL},
    {"(clojure.string/index-of \"abcb\" \"b\" 10)", "nil", NULL},
    {"(clojure.string/index-of \"abcb\" \"\" 10)", "4", NULL},
    {"(clojure.string/index-of \"abcb\" \"b\" -5)", "1", NULL},
    {"(clojure.string/index-of \"abc\" \"b\" 1.5)", "1", NULL},
    {"(clojure.string/index-of \"abc\" :b)", "!ClassCastException: class clojure.lang.Keyword cannot be cast to class java.lang.String (clojure.lang.Keyword is in unnamed module of loader 'app'; java.lang.String is in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/index-of \"abc\" nil)", "!NullPointerException: Cannot invoke \"String.coder()\" because \"str\" is null", NULL},
    {"(clojure.string/index-of nil \"a\")", "!NullPointerException: Cannot invoke \"Object.toString()\" because \"s\" is null", NULL},
    {"(clojure.string/index-of \"héllo\" \"l\")", "2", NULL},
    {"(clojure.string/index-of \"héllo\" \\l 3)", "3", NULL},
    {"(clojure.string/last-index-of \"abcb\" \"b\")", "3", NULL},
    {"(clojure.string/last-index-of \"abcb\" \"b\" 2)", "1", NULL},
    {"(clojure.string/last-index-of \"abcb\" \"b\" -1)", "nil", NULL},
    {"(clojure.string/last-index-of \"abcb\" \"\" 10)", "4", NULL},
    {"(clojure.string/last-index-of \"abcb\" \\b 10)", "3", NULL},
    {"(clojure.string/last-index-of \"abcb\" \"z\")", "nil", NULL},
    {"(clojure.string/last-index-of \"héllo\" \"l\")", "3", NULL},
    {"(clojure.string/reverse \"abc\")", "\"cba\"", NULL},
    {"(clojure.string/reverse \"héllo\")", "\"olléh\"", NULL},
    {"(clojure.string/reverse \"\")", "\"\"", NULL},
    {"(clojure.string/reverse nil)", "!NullPointerException: Cannot invoke \"java.lang.CharSequence.length()\" because \"seq\" is null", NULL},
    {"(clojure.string/reverse 12)", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.CharSequence (java.lang.Long and java.lang.CharSequence are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/escape \"a<b\" {\\< \"&lt;\"})", "\"a&lt;b\"", NULL},
    {"(clojure.string/escape \"abc\" {\\a 1 \\b nil})", "\"1bc\"", NULL},
    {"(clojure.string/escape 1 {})", "!ClassCastException: class java.lang.Long cannot be cast to class java.lang.CharSequence (java.lang.Long and java.lang.CharSequence are in module java.base of loader 'bootstrap')", NULL},
    {"(clojure.string/escape \"abc\" (fn [c] (when (= c \\c) \"C\")))", "\"abC\"", NULL},
    /* values that run Clojure code while text is built (run under GC stress too) */
    {"(clojure.string/join \",\" (map inc (range 20)))", "\"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20\"", NULL},
    {"(count (re-seq #\"\\d\" (apply str (range 100))))", "190", NULL},
    {"(clojure.string/replace (apply str (range 12)) #\"\\d\" (fn [m] (str \"<\" m \">\")))", "\"<0><1><2><3><4><5><6><7><8><9><1><0><1><1>\"", NULL},
    {"(clojure.string/replace-first \"a1b2\" #\"(\\d)\" (fn [[whole d]] (str d d)))", "\"a11b2\"", NULL},
    {"(clojure.string/escape (apply str (range 12)) (fn [c] (str c c)))", "\"0011223344556677889911001111\"", NULL},
    {"(apply str (map inc (range 10)))", "\"12345678910\"", NULL},
    {"(str (range 3))", "\"(0 1 2)\"", NULL},
    {"(str [(range 3) (map inc [1 2])])", "\"[(0 1 2) (2 3)]\"", NULL},
    {"(format \"%s|%s\" (vec (map inc [1 2])) (list 1 (range 2)))", "\"[2 3]|(1 (0 1))\"", NULL},
    {"(clojure.string/split (clojure.string/join \" \" (range 30)) #\" \" 5)", "[\"0\" \"1\" \"2\" \"3\" \"4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29\"]", NULL},
    {"(first (re-seq #\"\\d+\" \"a12b345\"))", "\"12\"", NULL},
    {"(second (re-seq #\"(\\d)(\\d)\" \"a12b345\"))", "[\"34\" \"3\" \"4\"]", NULL},
    {"(take 2 (re-seq #\".\" (apply str (repeat 1000 \"x\"))))", "(\"x\" \"x\")", NULL},
    /* exceptions thrown while text is being built (buffers must be freed) */
    {"(clojure.string/replace \"a1b2\" #\"\\d\" (fn [m] (throw (ex-info \"boom\" {}))))", "!clojure.lang.ExceptionInfo: boom", NULL},
    {"(clojure.string/replace-first \"a1b2\" #\"\\d\" (fn [m] (throw (ex-info \"first\" {}))))", "!clojure.lang.ExceptionInfo: first", NULL},
    {"(str \"x\" (lazy-seq (throw (ex-info \"lazy\" {}))))", "!clojure.lang.ExceptionInfo: lazy", NULL},
    {"(str \"x\" [1 (lazy-seq (throw (ex-info \"nested\" {})))])", "!clojure.lang.ExceptionInfo: nested", NULL},
    {"(clojure.string/join \",\" (map (fn [x] (if (= x 2) (throw (ex-info \"j\" {})) x)) [1 2 3]))", "!clojure.lang.ExceptionInfo: j", NULL},
    {"(format \"%s %d\" \"ok\" \"bad\")", "!java.util.IllegalFormatConversionException: d != java.lang.String", NULL},
    {"(format \"%s\" [(lazy-seq (throw (ex-info \"fmt\" {})))])", "!clojure.lang.ExceptionInfo: fmt", NULL},
    {"(clojure.string/escape \"abc\" (fn [c] (throw (ex-info \"esc\" {}))))", "!clojure.lang.ExceptionInfo: esc", NULL},
    {"(clojure.string/replace \"aaaa\" #\"a\" \"$1\")", "!IndexOutOfBoundsException: No group 1", NULL},
};

static int passed, failed;

static void fail(const char *what, const char *expected, const char *got) {
    failed++;
    printf("FAIL %s\n  expected: %s\n  got:      %s\n", what, expected, got ? got : "(null)");
}

/* The printed value, or "!Class: message" for an exception.  Owner: the
 * caller frees it. */
static char *describe(gv_vm *vm, int rc, gv_val v) {
    gv_buf b;
    gv_buf_init(&b);
    if (rc == GV_OK) {
        gv_print_opts o = {true, -1, -1};
        gv_val err;
        char *s = gv_print_str(vm, v, &o, &err);
        gv_buf_puts(&b, s ? s : "<print failed>");
        free(s);
    } else if (v.t == GV_EXCEPTION) {
        gv_exception *e = GV_AS(gv_exception, v);
        gv_buf_printf(&b, "!%s: ", e->cls->name->data);
        if (e->msg.t == GV_STRING) gv_buf_puts(&b, GV_AS(gv_string, e->msg)->data);
    } else {
        gv_buf_puts(&b, "!<non-exception thrown>");
    }
    return gv_buf_take(&b);
}

static bool same_npe(const char *a, const char *b) {
    const char *npe = "!NullPointerException:";
    return strncmp(a, npe, strlen(npe)) == 0 && strncmp(b, npe, strlen(npe)) == 0;
}

static void run_table(gv_vm *vm, const char *mode) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tcase *c = &cases[i];
        gv_val out;
        int rc = gv_eval(vm, c->expr, strlen(c->expr), "test_core_str_num", 1, 1, &out);
        char *got = describe(vm, rc, out);
        if (strcmp(got, c->expect) == 0 || same_npe(got, c->expect)) {
            passed++;
        } else {
            char what[600];
            snprintf(what, sizeof what, "[%s] %s", mode, c->expr);
            fail(what, c->expect, got);
        }
        free(got);
    }
}

/* ---- direct calls --------------------------------------------------------- */

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) passed++;                                                   \
        else fail(#cond, "true", "false");                                    \
    } while (0)

static gv_val call_native(gv_vm *vm, const char *ns, const char *name, int argc, gv_val *argv) {
    gv_ns *n = gv_ns_find(vm, gv_sym(vm, ns));
    gv_var *v = n ? gv_ns_resolve(vm, n, gv_sym(vm, name)) : NULL;
    if (!v || v->root.t != GV_NATIVE) gv_throwf(vm, "RuntimeException", "no native %s/%s", ns, name);
    gv_native *f = GV_AS(gv_native, v->root);
    return f->fn(vm, argc, argv, f->data);
}

static bool is_str(gv_val v, const char *s) {
    return v.t == GV_STRING && strcmp(GV_AS(gv_string, v)->data, s) == 0;
}

/* Runs FN's body under a handler; returns the class name of what it threw
 * ("" when it returned). */
typedef void (*thunk)(gv_vm *vm, gv_val *args);

static const char *thrown_by(gv_vm *vm, thunk fn, gv_val *args) {
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        fn(vm, args);
        gv_try_end(vm, &h);
        return "";
    }
    return GV_AS(gv_exception, h.exc)->cls->name->data;
}

static void t_arg_long(gv_vm *vm, gv_val *a) { (void)gv_arg_long(vm, a[0]); }
static void t_arg_string(gv_vm *vm, gv_val *a) { (void)gv_arg_string(vm, a[0]); }
static void t_bad_regex(gv_vm *vm, gv_val *a) { (void)a; (void)gv_regex_new(vm, "a(b", 3); }
static void t_add(gv_vm *vm, gv_val *a) { (void)gv_num_add(vm, a[0], a[1]); }
static void t_div(gv_vm *vm, gv_val *a) { (void)gv_num_div(vm, a[0], a[1]); }
static void t_cast(gv_vm *vm, gv_val *a) { gv_throw_cast(vm, a[0], "java.lang.Number"); }

static gv_val direct_tests(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)argv, (void)data;
    gv_val a[3];

    /* exported arithmetic */
    CHECK(gv_num_add(vm, gv_l(1), gv_l(2)).as.i == 3);
    gv_val r = gv_num_add(vm, gv_l(1), gv_d(2.5));
    CHECK(r.t == GV_DOUBLE && r.as.d == 3.5);
    r = gv_num_div(vm, gv_l(7), gv_l(2));
    CHECK(r.t == GV_DOUBLE && r.as.d == 3.5);
    r = gv_num_div(vm, gv_l(8), gv_l(2));
    CHECK(r.t == GV_LONG && r.as.i == 4);
    CHECK(gv_num_mul(vm, gv_l(-3), gv_l(4)).as.i == -12);
    CHECK(gv_num_sub(vm, gv_d(1), gv_l(3)).as.d == -2.0);
    CHECK(gv_num_lt(vm, gv_l(1), gv_d(1.5)));
    CHECK(!gv_num_lt(vm, gv_d(NAN), gv_l(1)) && !gv_num_gte(vm, gv_d(NAN), gv_l(1)));
    CHECK(gv_num_lte(vm, gv_l(2), gv_l(2)) && gv_num_gt(vm, gv_l(3), gv_l(2)));
    CHECK(gv_num_equiv(vm, gv_l(1), gv_d(1.0)));
    a[0] = gv_l(INT64_MAX);
    a[1] = gv_l(1);
    CHECK(strcmp(thrown_by(vm, t_add, a), "ArithmeticException") == 0);
    a[0] = gv_l(1);
    a[1] = gv_l(0);
    CHECK(strcmp(thrown_by(vm, t_div, a), "ArithmeticException") == 0);
    a[0] = gv_cstr(vm, "x");
    a[1] = gv_l(1);
    CHECK(strcmp(thrown_by(vm, t_add, a), "ClassCastException") == 0);
    a[0] = GV_NILV;
    CHECK(strcmp(thrown_by(vm, t_cast, a), "NullPointerException") == 0);

    /* argument helpers */
    CHECK(gv_arg_long(vm, gv_l(-5)) == -5);
    CHECK(gv_arg_long(vm, gv_d(1.9)) == 1);
    CHECK(gv_arg_long(vm, gv_d(-1.9)) == -1);
    a[0] = gv_cstr(vm, "a");
    CHECK(strcmp(thrown_by(vm, t_arg_long, a), "ClassCastException") == 0);
    a[0] = gv_ch('a');
    CHECK(strcmp(thrown_by(vm, t_arg_long, a), "ClassCastException") == 0);
    a[0] = gv_d(1e30);
    CHECK(strcmp(thrown_by(vm, t_arg_long, a), "IllegalArgumentException") == 0);
    a[0] = gv_cstr(vm, "s");
    CHECK(strcmp(gv_arg_string(vm, a[0])->data, "s") == 0);
    a[0] = gv_kw(vm, "k");
    CHECK(strcmp(thrown_by(vm, t_arg_string, a), "ClassCastException") == 0);
    a[0] = GV_NILV;
    CHECK(strcmp(thrown_by(vm, t_arg_string, a), "NullPointerException") == 0);

    /* str of single values */
    CHECK(is_str(gv_str_of(vm, GV_NILV), ""));
    CHECK(is_str(gv_str_of(vm, gv_l(42)), "42"));
    CHECK(is_str(gv_str_of(vm, gv_kw(vm, "a/b")), ":a/b"));

    /* natives called through their C entry points */
    a[0] = gv_l(1);
    a[1] = gv_d(2.0);
    a[2] = gv_l(3);
    r = call_native(vm, "clojure.core", "+", 3, a);
    CHECK(r.t == GV_DOUBLE && r.as.d == 6.0);
    r = call_native(vm, "clojure.core", "max", 3, a);
    CHECK(r.t == GV_LONG && r.as.i == 3);
    r = call_native(vm, "clojure.core", "<", 3, a);
    CHECK(r.t == GV_BOOL && r.as.b);
    a[0] = gv_cstr(vm, "a-b-c");
    a[1] = gv_regex_new(vm, "-", 1);
    r = call_native(vm, "clojure.string", "split", 2, a);
    CHECK(r.t == GV_VECTOR && gv_vec_count(r) == 3 && is_str(gv_vec_nth(r, 2), "c"));
    a[0] = gv_cstr(vm, "%05.1f|%s");
    a[1] = gv_d(3.14159);
    a[2] = GV_NILV;
    CHECK(is_str(call_native(vm, "clojure.core", "format", 3, a), "003.1|null"));
    a[0] = gv_cstr(vm, "h\xC3\xA9llo");
    a[1] = gv_l(1);
    a[2] = gv_l(2);
    CHECK(is_str(call_native(vm, "clojure.core", "subs", 3, a), "\xC3\xA9"));

    /* regexes */
    CHECK(strcmp(thrown_by(vm, t_bad_regex, a), "java.util.regex.PatternSyntaxException") == 0);
    gv_val re = gv_regex_new(vm, "(\\w)(\\d)?", 9);
    CHECK(re.t == GV_REGEX && GV_AS(gv_regex, re)->code != NULL);
    a[0] = re;
    a[1] = gv_cstr(vm, "x1");
    r = call_native(vm, "clojure.core", "re-find", 2, a);
    CHECK(r.t == GV_VECTOR && gv_vec_count(r) == 3 && is_str(gv_vec_nth(r, 2), "1"));
    /* a pattern with more groups than fit on the C stack */
    gv_buf big;
    gv_buf_init(&big);
    for (int i = 0; i < 40; i++) gv_buf_puts(&big, "(a)?");
    gv_buf_puts(&big, "(b)");
    a[0] = gv_regex_new(vm, big.p, big.len);
    gv_buf_free(&big);
    a[1] = gv_cstr(vm, "xab");
    r = call_native(vm, "clojure.core", "re-find", 2, a);
    CHECK(r.t == GV_VECTOR && gv_vec_count(r) == 42 && is_str(gv_vec_nth(r, 1), "a") &&
          gv_vec_nth(r, 2).t == GV_NIL && is_str(gv_vec_nth(r, 41), "b"));
    r = call_native(vm, "clojure.string", "replace", 3,
                    (gv_val[]){a[1], a[0], gv_cstr(vm, "<$41$1>")});
    CHECK(is_str(r, "x<ba>"));
    gv_regex tmp = *GV_AS(gv_regex, re);
    GV_AS(gv_regex, re)->code = NULL; /* the copy owns the code now */
    gv_regex_free(&tmp);
    CHECK(tmp.code == NULL);
    gv_regex_free(&tmp); /* freeing twice is harmless */
    return GV_NILV;
}

int main(void) {
    gv_vm *vm = gv_vm_new();
    if (!vm) {
        printf("test_core_str_num: could not create a VM\n");
        return 1;
    }
    run_table(vm, "normal");
    gv_val f = gv_native_new(vm, "test/direct", direct_tests, NULL, 0, 0);
    gv_val out;
    if (gv_pcall(vm, f, 0, NULL, &out) != GV_OK) {
        char *d = describe(vm, GV_ERR, out);
        fail("direct tests completed", "no exception", d);
        free(d);
    }
    gv_vm_set_gc_stress(vm, true);
    run_table(vm, "gc-stress");
    gv_vm_destroy(&vm);
    printf("test_core_str_num: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
