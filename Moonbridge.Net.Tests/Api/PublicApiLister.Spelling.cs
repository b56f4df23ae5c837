using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Moonbridge.Net.Tests.Api;

/// <summary>How <see cref="PublicApiLister"/> spells types, generic parameters and constant values in C#.</summary>
internal static partial class PublicApiLister
{
    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(bool)] = "bool",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(char)] = "char",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(nint)] = "nint",
        [typeof(nuint)] = "nuint",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
    };

    // ---- generics ----

    /// <summary>The generic parameters a type declares itself (a nested type also sees its outer type's).</summary>
    private static Type[] OwnGenericArguments(Type type)
    {
        Type[] all = type.GetGenericArguments();
        int inherited = type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0;
        return all[inherited..];
    }

    private static string GenericParameterName(Type parameter)
    {
        GenericParameterAttributes attributes = parameter.GenericParameterAttributes & GenericParameterAttributes.VarianceMask;
        return attributes switch
        {
            GenericParameterAttributes.Covariant => "out ",
            GenericParameterAttributes.Contravariant => "in ",
            _ => "",
        } + parameter.Name;
    }

    private static string Constraints(Type[] parameters, MemberInfo owner)
    {
        var text = new StringBuilder();
        foreach (Type parameter in parameters)
        {
            GenericParameterAttributes attributes = parameter.GenericParameterAttributes;
            var constraints = new List<string>();
            byte nullable = GenericParameterNullability(parameter, owner);
            bool valueType = attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint);
            if (valueType)
            {
                constraints.Add(HasAttribute(parameter, "IsUnmanagedAttribute") ? "unmanaged" : "struct");
            }
            else if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint))
            {
                constraints.Add(nullable == 2 ? "class?" : "class");
            }
            else if (nullable == 1)
            {
                constraints.Add("notnull");
            }

            constraints.AddRange(parameter.GetGenericParameterConstraints()
                .Where(c => c != typeof(ValueType))
                .Select(c => FormatType(c))
                .Order(StringComparer.Ordinal));

            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint) && !valueType)
            {
                constraints.Add("new()");
            }

            if (attributes.HasFlag(GenericParameterAttributes.AllowByRefLike))
            {
                constraints.Add("allows ref struct");
            }

            if (constraints.Count > 0)
            {
                text.Append(" where ").Append(parameter.Name).Append(" : ").Append(string.Join(", ", constraints));
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The compiler's nullability flag of a generic parameter (1: not null, 2: may be null, 0: oblivious),
    /// from its own attribute or the nearest enclosing nullable context.
    /// </summary>
    private static byte GenericParameterNullability(Type parameter, MemberInfo owner)
    {
        if (NullableFlag(parameter.GetCustomAttributesData(), "NullableAttribute") is { } own)
        {
            return own;
        }

        for (MemberInfo? scope = owner; scope is not null; scope = scope.DeclaringType)
        {
            if (NullableFlag(scope.GetCustomAttributesData(), "NullableContextAttribute") is { } inherited)
            {
                return inherited;
            }
        }

        return 0;
    }

    private static byte? NullableFlag(IEnumerable<CustomAttributeData> attributes, string name)
    {
        CustomAttributeData? attribute = attributes.FirstOrDefault(a => a.AttributeType.FullName == CompilerServices + name);
        return attribute?.ConstructorArguments[0].Value switch
        {
            byte flag => flag,
            IReadOnlyList<CustomAttributeTypedArgument> { Count: > 0 } flags => (byte)flags[0].Value!,
            _ => null,
        };
    }

    // ---- type names ----

    /// <summary>A declared type's full name with its own generic parameters: <c>Namespace.Outer.Inner&lt;T&gt;</c>.</summary>
    private static string TypeDefinitionName(Type type)
    {
        string own = SimpleName(type);
        Type[] parameters = OwnGenericArguments(type);
        if (parameters.Length > 0)
        {
            own += "<" + string.Join(", ", parameters.Select(GenericParameterName)) + ">";
        }

        return type.IsNested ? $"{TypeDefinitionName(type.DeclaringType!)}.{own}" : $"{type.Namespace}.{own}";
    }

    private static string SimpleName(Type type)
    {
        int tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? type.Name : type.Name[..tick];
    }

    /// <summary>
    /// A type as C# writes it. <paramref name="top"/> is the nullability of the outermost type (the read or
    /// the write state, as the position asks); nested positions use their read state.
    /// </summary>
    private static string FormatType(Type type, NullabilityInfo? nullability = null, NullabilityState? top = null)
    {
        NullabilityState state = top ?? nullability?.ReadState ?? NullabilityState.Unknown;
        if (type.IsByRef)
        {
            return FormatType(type.GetElementType()!, nullability, state);
        }

        if (type.IsPointer)
        {
            return FormatType(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            string element = FormatType(type.GetElementType()!, nullability?.ElementType);
            return element + "[" + new string(',', type.GetArrayRank() - 1) + "]" + NullableMark(type, state);
        }

        if (type.IsGenericParameter)
        {
            return type.Name + (state == NullabilityState.Nullable && !type.IsValueType ? "?" : "");
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return FormatType(underlying, nullability?.GenericTypeArguments.FirstOrDefault()) + "?";
        }

        if (s_keywords.TryGetValue(type, out string? keyword))
        {
            return keyword + NullableMark(type, state);
        }

        Type[] arguments = type.GetGenericArguments();
        NullabilityInfo[] argumentNullability = nullability?.GenericTypeArguments ?? [];
        string Argument(int index) =>
            FormatType(arguments[index], index < argumentNullability.Length ? argumentNullability[index] : null);

        if (type.IsGenericType && type.Namespace == "System" && type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal))
        {
            return "(" + string.Join(", ", arguments.Select((_, i) => Argument(i))) + ")";
        }

        return ConstructedName(type, arguments, Argument) + NullableMark(type, state);
    }

    private static string ConstructedName(Type type, Type[] arguments, Func<int, string> argument)
    {
        // Arguments of an outer generic type come first in the list; each level takes its own share.
        int before = type.IsNested ? (type.DeclaringType!.IsGenericTypeDefinition || type.DeclaringType.IsGenericType ? type.DeclaringType.GetGenericArguments().Length : 0) : 0;
        int own = type.IsGenericType ? OwnCount(type) : 0;
        string name = SimpleName(type);
        if (own > 0)
        {
            name += "<" + string.Join(", ", Enumerable.Range(before, own).Select(argument)) + ">";
        }

        if (type.IsNested)
        {
            Type outer = type.DeclaringType!;
            if (outer.IsGenericTypeDefinition && arguments.Length >= before)
            {
                outer = outer.MakeGenericType(arguments[..before]);
            }

            return ConstructedName(outer, arguments, argument) + "." + name;
        }

        return $"{type.Namespace}.{name}";
    }

    private static int OwnCount(Type type)
    {
        int tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? 0 : int.Parse(type.Name[(tick + 1)..], CultureInfo.InvariantCulture);
    }

    private static string NullableMark(Type type, NullabilityState state) =>
        !type.IsValueType && state == NullabilityState.Nullable ? "?" : "";

    // ---- values ----

    /// <summary>A constant or default value as a C# literal.</summary>
    private static string Literal(object? value, Type type)
    {
        Type declared = type.IsByRef ? type.GetElementType()! : type;
        Type target = Nullable.GetUnderlyingType(declared) ?? declared;
        switch (value)
        {
            case null or DBNull or Missing:
                return declared.IsValueType && declared == target ? "default" : "null";
            case string text:
                return Quote(text, '"');
            case char character:
                return Quote(character.ToString(), '\'');
            case bool flag:
                return flag ? "true" : "false";
            case Type typeValue:
                return $"typeof({FormatType(typeValue)})";
        }

        if (target.IsEnum)
        {
            object member = Enum.ToObject(target, value);
            string? name = Enum.GetName(target, member);
            string typeName = FormatType(target);
            return name is not null
                ? $"{typeName}.{name}"
                : $"({typeName})({Convert.ToString(value, CultureInfo.InvariantCulture)})";
        }

        return value switch
        {
            float number => number.ToString("R", CultureInfo.InvariantCulture) + "f",
            double number => number.ToString("R", CultureInfo.InvariantCulture),
            decimal number => number.ToString(CultureInfo.InvariantCulture) + "m",
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static string Quote(string text, char quote)
    {
        var builder = new StringBuilder().Append(quote);
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when c == quote => "\\" + quote,
                _ when char.IsControl(c) || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append(quote).ToString();
    }
}
