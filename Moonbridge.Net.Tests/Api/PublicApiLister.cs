using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Moonbridge.Net.Tests.Api;

/// <summary>
/// Lists the public surface of an assembly as text: one line per public or protected type and member,
/// in C# spelling with full namespaces, sorted so that the lines of a type and its members stay together.
/// The text depends only on the declarations, never on the machine, the run or the assembly version.
/// </summary>
/// <remarks>
/// Line shapes:
/// <code>
/// public sealed class Namespace.Type : Namespace.Base, Namespace.IFoo
/// public Namespace.Type.Type(int count)
/// public static Namespace.Type.Method(int count, string? name = null) -> System.Threading.Tasks.ValueTask
/// public Namespace.Type.Property { get; init; } -> string?
/// public const Namespace.Type.Limit -> int = 10
/// public event Namespace.Type.Changed -> System.EventHandler?
/// public delegate Namespace.Handler(Namespace.Context context) -> bool
/// public Namespace.Kind.Member = 1
/// </code>
/// Members the compiler writes on its own (record equality and printing, <c>value__</c>, delegate
/// <c>Invoke</c>/<c>BeginInvoke</c>/<c>EndInvoke</c>, names with <c>&lt;</c>) are left out; a record shows
/// as <c>record</c> on its type line. Protected members of sealed types are left out (nobody can reach
/// them).
/// </remarks>
internal static class PublicApiLister
{
    private const BindingFlags DeclaredMembers =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private const string CompilerServices = "System.Runtime.CompilerServices.";

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

    /// <summary>Attributes on parameters and return values that are part of the nullability contract.</summary>
    private static readonly HashSet<string> s_nullabilityAttributes = new(StringComparer.Ordinal)
    {
        "AllowNullAttribute",
        "DisallowNullAttribute",
        "MaybeNullAttribute",
        "NotNullAttribute",
        "MaybeNullWhenAttribute",
        "NotNullWhenAttribute",
        "NotNullIfNotNullAttribute",
    };

    /// <summary>The lines of <paramref name="assembly"/>'s public surface, sorted.</summary>
    public static IReadOnlyList<string> List(Assembly assembly) => List(assembly.GetTypes());

    /// <summary>The lines of the visible ones among <paramref name="types"/>, sorted.</summary>
    public static IReadOnlyList<string> List(IEnumerable<Type> types)
    {
        var entries = new List<(string Key, string Line)>();
        foreach (Type type in types)
        {
            if (IsVisible(type))
            {
                AddType(type, entries);
            }
        }

        return entries
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .ThenBy(entry => entry.Line, StringComparer.Ordinal)
            .Select(entry => entry.Line)
            .ToList();
    }

    private static bool IsVisible(Type type)
    {
        if (IsCompilerGenerated(type))
        {
            return false;
        }

        if (!type.IsNested)
        {
            return type.IsPublic;
        }

        Type outer = type.DeclaringType!;
        bool reachable = type.IsNestedPublic || ((type.IsNestedFamily || type.IsNestedFamORAssem) && !outer.IsSealed);
        return reachable && IsVisible(outer);
    }

    private static bool IsCompilerGenerated(MemberInfo member) =>
        member.Name.Contains('<', StringComparison.Ordinal) || member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    // ---- types ----

    private static void AddType(Type type, List<(string Key, string Line)> entries)
    {
        string name = TypeDefinitionName(type);
        var context = new NullabilityInfoContext();

        if (IsDelegate(type))
        {
            MethodInfo invoke = type.GetMethod("Invoke")!;
            string line = $"{Attributes(type)}{Access(type)} delegate {name}{Parameters(invoke, context)}"
                + $" -> {ReturnType(invoke, context)}{Constraints(type.GetGenericArguments(), type)}";
            entries.Add((name, line));
            return;
        }

        entries.Add((name, $"{Attributes(type)}{Access(type)} {TypeKind(type)} {name}{Bases(type)}{Constraints(OwnGenericArguments(type), type)}"));

        if (type.IsEnum)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                string value = Convert.ToString(field.GetRawConstantValue(), CultureInfo.InvariantCulture)!;
                entries.Add(($"{name}.{field.Name}", $"{Attributes(field)}public {name}.{field.Name} = {value}"));
            }

            return;
        }

        foreach (ConstructorInfo constructor in type.GetConstructors(DeclaredMembers))
        {
            if (IsVisible(constructor, type) && !IsCompilerGenerated(constructor) && !constructor.IsStatic)
            {
                string signature = $"{name}.{SimpleName(type)}{Parameters(constructor, context)}";
                entries.Add((signature, $"{Attributes(constructor)}{Access(constructor)} {signature}"));
            }
        }

        foreach (MethodInfo method in type.GetMethods(DeclaredMembers))
        {
            if (IsVisible(method, type) && (!method.IsSpecialName || IsOperator(method)) && !IsCompilerGenerated(method))
            {
                AddMethod(type, name, method, context, entries);
            }
        }

        foreach (PropertyInfo property in type.GetProperties(DeclaredMembers))
        {
            AddProperty(type, name, property, context, entries);
        }

        foreach (FieldInfo field in type.GetFields(DeclaredMembers))
        {
            if (IsVisible(field, type) && !IsCompilerGenerated(field))
            {
                AddField(name, field, context, entries);
            }
        }

        foreach (EventInfo @event in type.GetEvents(DeclaredMembers))
        {
            MethodInfo? add = @event.AddMethod;
            if (add is not null && IsVisible(add, type) && !IsCompilerGenerated(@event))
            {
                string eventType = FormatType(@event.EventHandlerType!, context.Create(@event), top: null);
                entries.Add(($"{name}.{@event.Name}", $"{Attributes(@event)}{Access(add)}{Modifiers(add, type)} event {name}.{@event.Name} -> {eventType}"));
            }
        }
    }

    private static bool IsDelegate(Type type) => type.IsSubclassOf(typeof(MulticastDelegate));

    private static bool IsOperator(MethodInfo method) =>
        method.IsSpecialName && method.IsStatic && method.Name.StartsWith("op_", StringComparison.Ordinal);

    private static string TypeKind(Type type)
    {
        if (type.IsInterface)
        {
            return "interface";
        }

        if (type.IsEnum)
        {
            return "enum";
        }

        bool record = IsRecord(type);
        if (type.IsValueType)
        {
            string prefix = (HasAttribute(type, "IsReadOnlyAttribute") ? "readonly " : "") + (type.IsByRefLike ? "ref " : "");
            return prefix + (record ? "record struct" : "struct");
        }

        string kind = record ? "record" : "class";
        if (type.IsAbstract && type.IsSealed)
        {
            return "static " + kind;
        }

        if (type.IsAbstract)
        {
            return "abstract " + kind;
        }

        return type.IsSealed ? "sealed " + kind : kind;
    }

    /// <summary>A record class has the compiler's clone method; a record struct its printing method.</summary>
    private static bool IsRecord(Type type) =>
        type.IsValueType
            ? type.GetMethod("PrintMembers", DeclaredMembers) is { } print && print.IsDefined(typeof(CompilerGeneratedAttribute), false)
            : type.GetMethod("<Clone>$", DeclaredMembers) is not null;

    private static string Bases(Type type)
    {
        var bases = new List<string>();
        if (type.IsEnum)
        {
            Type underlying = Enum.GetUnderlyingType(type);
            if (underlying != typeof(int))
            {
                bases.Add(FormatType(underlying));
            }
        }
        else
        {
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
            {
                bases.Add(FormatType(baseType));
            }

            bases.AddRange(type.GetInterfaces()
                .Where(i => i.IsVisible)
                .Select(i => FormatType(i))
                .Order(StringComparer.Ordinal));
        }

        return bases.Count == 0 ? "" : " : " + string.Join(", ", bases);
    }

    private static string Access(Type type) => type switch
    {
        { IsPublic: true } or { IsNestedPublic: true } => "public",
        { IsNestedFamORAssem: true } => "protected internal",
        _ => "protected",
    };

    // ---- members ----

    private static bool IsVisible(MethodBase method, Type declaring) =>
        method.IsPublic || ((method.IsFamily || method.IsFamilyOrAssembly) && !declaring.IsSealed);

    private static bool IsVisible(FieldInfo field, Type declaring) =>
        field.IsPublic || ((field.IsFamily || field.IsFamilyOrAssembly) && !declaring.IsSealed);

    private static string Access(MethodBase method) =>
        method.IsPublic ? "public" : method.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string Access(FieldInfo field) =>
        field.IsPublic ? "public" : field.IsFamilyOrAssembly ? "protected internal" : "protected";

    /// <summary>static, abstract, virtual, override, sealed override, as C# would have them written.</summary>
    private static string Modifiers(MethodInfo method, Type declaring)
    {
        var modifiers = new StringBuilder();
        if (method.IsStatic)
        {
            modifiers.Append(" static");
        }

        if (declaring.IsInterface)
        {
            if (method.IsStatic && method.IsAbstract)
            {
                modifiers.Append(" abstract");
            }
            else if (method.IsStatic && method.IsVirtual || !method.IsStatic && !method.IsAbstract && method.IsVirtual)
            {
                modifiers.Append(" virtual");
            }

            return modifiers.ToString();
        }

        if (!method.IsVirtual)
        {
            return modifiers.ToString();
        }

        bool overrides = method.GetBaseDefinition().DeclaringType != method.DeclaringType;
        if (overrides)
        {
            modifiers.Append(method.IsFinal ? " sealed override" : " override");
        }
        else if (method.IsAbstract)
        {
            modifiers.Append(" abstract");
        }
        else if (!method.IsFinal)
        {
            // A virtual final method that overrides nothing is an implicit interface implementation:
            // an ordinary method in C#.
            modifiers.Append(" virtual");
        }

        return modifiers.ToString();
    }

    private static void AddMethod(Type type, string typeName, MethodInfo method, NullabilityInfoContext context, List<(string Key, string Line)> entries)
    {
        string genericParameters = method.IsGenericMethodDefinition
            ? "<" + string.Join(", ", method.GetGenericArguments().Select(GenericParameterName)) + ">"
            : "";
        string signature = $"{typeName}.{method.Name}{genericParameters}{Parameters(method, context)}";
        string line = $"{Attributes(method)}{Access(method)}{Modifiers(method, type)} {signature} -> {ReturnType(method, context)}"
            + Constraints(method.IsGenericMethodDefinition ? method.GetGenericArguments() : [], method);
        entries.Add((signature, line));
    }

    private static void AddProperty(Type type, string typeName, PropertyInfo property, NullabilityInfoContext context, List<(string Key, string Line)> entries)
    {
        MethodInfo? getter = property.GetMethod is { } g && IsVisible(g, type) ? g : null;
        MethodInfo? setter = property.SetMethod is { } s && IsVisible(s, type) ? s : null;
        MethodInfo? main = getter ?? setter;
        if (main is null || IsCompilerGenerated(property))
        {
            return;
        }

        string access = Access(main);
        var accessors = new StringBuilder(" {");
        if (getter is not null)
        {
            accessors.Append(Access(getter) == access ? " get;" : $" {Access(getter)} get;");
        }

        if (setter is not null)
        {
            bool init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
            string keyword = init ? "init" : "set";
            accessors.Append(Access(setter) == access ? $" {keyword};" : $" {Access(setter)} {keyword};");
        }

        accessors.Append(" }");

        ParameterInfo[] indexParameters = property.GetIndexParameters();
        string name = indexParameters.Length == 0
            ? $"{typeName}.{property.Name}"
            : $"{typeName}.this[{string.Join(", ", indexParameters.Select(p => Parameter(p, context)))}]";

        NullabilityInfo nullability = context.Create(property);
        string propertyType = FormatType(property.PropertyType, nullability, getter is not null ? nullability.ReadState : nullability.WriteState);
        if (getter is not null && setter is not null && nullability.ReadState != nullability.WriteState)
        {
            propertyType += $" (set: {FormatType(property.PropertyType, nullability, nullability.WriteState)})";
        }

        string required = HasAttribute(property, "RequiredMemberAttribute") ? " required" : "";
        string byRef = property.PropertyType.IsByRef ? (HasAttribute(getter!.ReturnParameter, "IsReadOnlyAttribute") ? "ref readonly " : "ref ") : "";
        entries.Add((name, $"{Attributes(property)}{access}{Modifiers(main, type)}{required} {name}{accessors} -> {byRef}{propertyType}"));
    }

    private static void AddField(string typeName, FieldInfo field, NullabilityInfoContext context, List<(string Key, string Line)> entries)
    {
        string modifiers = field.IsLiteral ? " const"
            : (field.IsStatic ? " static" : "") + (field.IsInitOnly ? " readonly" : "") + (HasAttribute(field, "RequiredMemberAttribute") ? " required" : "");
        string fieldType = FormatType(field.FieldType, context.Create(field), top: null);
        string value = field.IsLiteral ? " = " + Literal(field.GetRawConstantValue(), field.FieldType) : "";
        entries.Add(($"{typeName}.{field.Name}", $"{Attributes(field)}{Access(field)}{modifiers} {typeName}.{field.Name} -> {fieldType}{value}"));
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext context) =>
        "(" + string.Join(", ", method.GetParameters().Select(p => Parameter(p, context))) + ")";

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext context)
    {
        var text = new StringBuilder(NullabilityAttributes(parameter));
        Type type = parameter.ParameterType;
        if (parameter.Position == 0 && parameter.Member.IsDefined(typeof(ExtensionAttribute), false))
        {
            text.Append("this ");
        }

        if (HasAttribute(parameter, "ScopedRefAttribute"))
        {
            text.Append("scoped ");
        }

        NullabilityInfo nullability = context.Create(parameter);
        NullabilityState state = nullability.WriteState;
        if (type.IsByRef)
        {
            if (parameter.IsOut)
            {
                text.Append("out ");
                state = nullability.ReadState;
            }
            else if (HasAttribute(parameter, "RequiresLocationAttribute"))
            {
                text.Append("ref readonly ");
            }
            else
            {
                text.Append(parameter.IsIn ? "in " : "ref ");
            }
        }
        else if (parameter.IsDefined(typeof(ParamArrayAttribute), false) || HasAttribute(parameter, "ParamCollectionAttribute"))
        {
            text.Append("params ");
        }

        text.Append(FormatType(type, nullability, state)).Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue)
        {
            text.Append(" = ").Append(Literal(parameter.RawDefaultValue, type));
        }

        return text.ToString();
    }

    private static string ReturnType(MethodInfo method, NullabilityInfoContext context)
    {
        ParameterInfo returned = method.ReturnParameter;
        NullabilityInfo nullability = context.Create(returned);
        string byRef = returned.ParameterType.IsByRef ? (HasAttribute(returned, "IsReadOnlyAttribute") ? "ref readonly " : "ref ") : "";
        return NullabilityAttributes(returned) + byRef + FormatType(returned.ParameterType, nullability, nullability.ReadState);
    }

    private static string NullabilityAttributes(ParameterInfo parameter)
    {
        var text = new StringBuilder();
        foreach (CustomAttributeData attribute in parameter.GetCustomAttributesData()
                     .Where(a => a.AttributeType.Namespace == "System.Diagnostics.CodeAnalysis" && s_nullabilityAttributes.Contains(a.AttributeType.Name))
                     .OrderBy(a => a.AttributeType.Name, StringComparer.Ordinal))
        {
            string name = attribute.AttributeType.Name[..^"Attribute".Length];
            string arguments = attribute.ConstructorArguments.Count == 0
                ? ""
                : "(" + string.Join(", ", attribute.ConstructorArguments.Select(a => Literal(a.Value, a.ArgumentType))) + ")";
            text.Append('[').Append(name).Append(arguments).Append("] ");
        }

        return text.ToString();
    }

    /// <summary>[Obsolete] and [Flags], the attributes that change how a declaration may be used.</summary>
    private static string Attributes(MemberInfo member)
    {
        var text = new StringBuilder();
        // The compiler marks some declarations obsolete for older compilers (constructors of types with
        // required members, ref structs); those marks are not part of the API.
        if (member.GetCustomAttribute<ObsoleteAttribute>(inherit: false) is { } obsolete
            && !HasAttribute(member, "CompilerFeatureRequiredAttribute")
            && obsolete.Message?.StartsWith("Types with embedded references are not supported", StringComparison.Ordinal) != true)
        {
            text.Append(obsolete.IsError ? "[Obsolete(error)] " : "[Obsolete] ");
        }

        if (member is Type { IsEnum: true } && member.IsDefined(typeof(FlagsAttribute), false))
        {
            text.Append("[Flags] ");
        }

        return text.ToString();
    }

    private static bool HasAttribute(MemberInfo member, string name) =>
        member.GetCustomAttributesData().Any(a => a.AttributeType.FullName == CompilerServices + name);

    private static bool HasAttribute(ParameterInfo parameter, string name) =>
        parameter.GetCustomAttributesData().Any(a => a.AttributeType.FullName == CompilerServices + name);

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
